"""Identity Store users (identitystore ListUsers), with every attribute AWS keeps."""

from __future__ import annotations

from typing import Any

from connector.aws import AwsClients
from connector.records import Address, Email, ExternalId, PhoneNumber, Photo, Role, User

ENTERPRISE_EXTENSION = "aws:identitystore:enterprise"


def read_users(aws: AwsClients, identity_store_id: str) -> list[User]:
    """Every user; ListUsers returns whole user records, so no DescribeUser is needed."""
    return [
        user_from_aws(item)
        for item in aws.items(
            "identitystore",
            "ListUsers",
            IdentityStoreId=identity_store_id,
            Extensions=[ENTERPRISE_EXTENSION],
        )
    ]


def user_from_aws(item: dict[str, Any]) -> User:
    name = item.get("Name") or {}
    return User(
        id=item["UserId"],
        user_name=item["UserName"],
        display_name=item.get("DisplayName"),
        given_name=name.get("GivenName"),
        family_name=name.get("FamilyName"),
        middle_name=name.get("MiddleName"),
        honorific_prefix=name.get("HonorificPrefix"),
        honorific_suffix=name.get("HonorificSuffix"),
        formatted_name=name.get("Formatted"),
        nick_name=item.get("NickName"),
        profile_url=item.get("ProfileUrl"),
        title=item.get("Title"),
        user_type=item.get("UserType"),
        locale=item.get("Locale"),
        timezone=item.get("Timezone"),
        preferred_language=item.get("PreferredLanguage"),
        website=item.get("Website"),
        birthdate=item.get("Birthdate"),
        user_status=item.get("UserStatus"),
        emails=tuple(
            Email(value=e["Value"], type=e.get("Type"), primary=bool(e.get("Primary")))
            for e in item.get("Emails") or ()
            if e.get("Value")
        ),
        phone_numbers=tuple(
            PhoneNumber(value=p["Value"], type=p.get("Type"), primary=bool(p.get("Primary")))
            for p in item.get("PhoneNumbers") or ()
            if p.get("Value")
        ),
        addresses=tuple(
            Address(
                street_address=a.get("StreetAddress"),
                locality=a.get("Locality"),
                region=a.get("Region"),
                postal_code=a.get("PostalCode"),
                country=a.get("Country"),
                formatted=a.get("Formatted"),
                type=a.get("Type"),
                primary=bool(a.get("Primary")),
            )
            for a in item.get("Addresses") or ()
        ),
        external_ids=external_ids_from_aws(item.get("ExternalIds")),
        roles=tuple(
            Role(value=r.get("Value"), type=r.get("Type"), primary=bool(r.get("Primary")))
            for r in item.get("Roles") or ()
        ),
        photos=tuple(
            Photo(
                value=p["Value"],
                type=p.get("Type"),
                display=p.get("Display"),
                primary=bool(p.get("Primary")),
            )
            for p in item.get("Photos") or ()
            if p.get("Value")
        ),
        enterprise=(item.get("Extensions") or {}).get(ENTERPRISE_EXTENSION),
        created_at=item.get("CreatedAt"),
        updated_at=item.get("UpdatedAt"),
        created_by=item.get("CreatedBy"),
        updated_by=item.get("UpdatedBy"),
        revision=item.get("Revision"),
    )


def external_ids_from_aws(items: list[dict[str, str]] | None) -> tuple[ExternalId, ...]:
    return tuple(ExternalId(issuer=e["Issuer"], id=e["Id"]) for e in items or ())
