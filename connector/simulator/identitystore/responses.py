"""Identity Store wire layer: the operations moto lacks or serialises unlike AWS.

moto has no UpdateUser / UpdateGroup, answers DescribeUser without ExternalIds and
with ``null`` for every unset member; AWS leaves unset members out
(https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_DescribeUser.html).
CreateUser takes at most one email, address and phone number ("Array Members:
Fixed number of 1 item" in
https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html);
botocore does not check list lengths, so the service must. CreateUser's Photos,
Roles, Website, Birthdate and Extensions, and the ``Extensions`` a DescribeUser
or ListUsers asks for, are read here (moto reads none of them). What a request
creates or changes records its caller as CreatedBy / UpdatedBy (moto keeps none).
"""

from __future__ import annotations

import json
from typing import Any

from moto.identitystore.exceptions import ValidationException
from moto.identitystore.responses import IdentityStoreResponse

from ..cloudtrail.principals import caller, principal_arn
from .models import ACTING, CorrectedIdentityStoreBackend
from .profile import checked_extension_names

# CreateUser's members moto passes on (by its argument names), and those it does not (profile.py).
_MOTO_CREATE_USER = {
    "identity_store_id": "IdentityStoreId",
    "user_name": "UserName",
    "name": "Name",
    "display_name": "DisplayName",
    "nick_name": "NickName",
    "profile_url": "ProfileUrl",
    "emails": "Emails",
    "addresses": "Addresses",
    "phone_numbers": "PhoneNumbers",
    "user_type": "UserType",
    "title": "Title",
    "preferred_language": "PreferredLanguage",
    "locale": "Locale",
    "timezone": "Timezone",
}
_PROFILE = ("Photos", "Roles", "Website", "Birthdate", "Extensions")


class CorrectedIdentityStoreResponse(IdentityStoreResponse):
    @property
    def corrected_backend(self) -> CorrectedIdentityStoreBackend:
        backend = self.identitystore_backend
        assert isinstance(backend, CorrectedIdentityStoreBackend)
        return backend

    def create_user(self) -> str:
        for parameter in ("Emails", "Addresses", "PhoneNumbers"):
            if len(self._get_param(parameter) or []) > 1:
                raise ValidationException(
                    message=f"1 validation error detected: Value at '{parameter[0].lower()}"
                    f"{parameter[1:]}' failed to satisfy constraint: Member must have length "
                    "less than or equal to 1"
                )
        user_id, store_id = self.corrected_backend.create_user(
            **{argument: self._get_param(key) for argument, key in _MOTO_CREATE_USER.items()},
            profile={key: self._get_param(key) for key in _PROFILE},
        )
        return json.dumps({"UserId": user_id, "IdentityStoreId": store_id})

    def call_action(self) -> Any:
        """Serve the request as its caller: what it creates or changes records them."""
        acting = ACTING.set(principal_arn(caller(self.get_access_key()), self.current_account))
        try:
            return super().call_action()
        finally:
            ACTING.reset(acting)

    def describe_user(self) -> str:
        user = self.corrected_backend.describe_user(
            identity_store_id=self._get_param("IdentityStoreId"),
            user_id=self._get_param("UserId"),
        )
        names = checked_extension_names(self._get_param("Extensions"))
        return json.dumps(user.to_json(names))

    def list_users(self) -> str:
        users, next_token = self.corrected_backend.list_users(
            identity_store_id=self._get_param("IdentityStoreId"),
            filters=self._get_param("Filters"),
            max_results=self._get_param("MaxResults"),
            next_token=self._get_param("NextToken"),
            extensions=self._get_param("Extensions"),
        )
        return json.dumps({"Users": users, "NextToken": next_token})

    def describe_group(self) -> str:
        group = self.corrected_backend.describe_group(
            identity_store_id=self._get_param("IdentityStoreId"),
            group_id=self._get_param("GroupId"),
        )
        return json.dumps(group.to_json())

    def update_user(self) -> str:
        self.corrected_backend.update_user(
            identity_store_id=self._get_param("IdentityStoreId"),
            user_id=self._get_param("UserId"),
            operations=self._get_param("Operations") or [],
            revision=self._get_param("Revision"),
        )
        return "{}"

    def update_group(self) -> str:
        self.corrected_backend.update_group(
            identity_store_id=self._get_param("IdentityStoreId"),
            group_id=self._get_param("GroupId"),
            operations=self._get_param("Operations") or [],
            revision=self._get_param("Revision"),
        )
        return "{}"

    def delete_user(self) -> str:
        """As moto's, with the conditional Revision moto does not read."""
        self.corrected_backend.delete_user(
            identity_store_id=self._get_param("IdentityStoreId"),
            user_id=self._get_param("UserId"),
            revision=self._get_param("Revision"),
        )
        return "{}"

    def delete_group(self) -> str:
        self.corrected_backend.delete_group(
            identity_store_id=self._get_param("IdentityStoreId"),
            group_id=self._get_param("GroupId"),
            revision=self._get_param("Revision"),
        )
        return "{}"
