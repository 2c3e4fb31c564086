"""Every schema, resource type and capability the service publishes.

The core schemas carry the characteristics RFC 7643 §4 and §8.7.1 give them,
listing only the attributes Identity Center can fill. Our own schemas describe
what an IGA platform needs beyond them: the AWS side of users and groups, and the
entitlements (a permission set on an account) it grants. This version serves
Identity Center read-only, so every attribute of our own schemas is readOnly; the
core User and Group attributes keep the RFC's readWrite, ready for writes.

`id`, `externalId` and `meta` are the RFC 7643 §3.1 common attributes: part of
every resource without a URN prefix, and so not listed in any schema's
`attributes` (as in RFC 7643 §8.7.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Final

from schemas import urns
from schemas.attributes import (
    AttributeDefinition,
    Mutability,
    ResourceTypeDefinition,
    Returned,
    SchemaDefinition,
    SchemaExtension,
    Uniqueness,
)

# -- helpers for the shapes that repeat ---------------------------------------------------------

# RFC 7643 §4.1.2: the canonical types of emails and addresses.
_CONTACT_TYPES: Final = ("work", "home", "other")

# The kinds of Entitlement: a permission set on an account, an application.
ENTITLEMENT_TYPES: Final = ("permissionSet", "application")


def _string(
    name: str,
    description: str,
    *,
    required: bool = False,
    case_exact: bool = False,
    multi_valued: bool = False,
    mutability: Mutability = "readWrite",
    returned: Returned = "default",
    uniqueness: Uniqueness = "none",
    canonical_values: tuple[str, ...] = (),
) -> AttributeDefinition:
    return AttributeDefinition(
        name=name,
        description=description,
        required=required,
        case_exact=case_exact,
        multi_valued=multi_valued,
        mutability=mutability,
        returned=returned,
        uniqueness=uniqueness,
        canonical_values=canonical_values,
    )


def _id_string(name: str, description: str, **kwargs: Any) -> AttributeDefinition:
    """Identifiers (ids, ARNs) compare exactly, as RFC 7643 §3.1 says of `id`."""
    return _string(name, description, case_exact=True, **kwargs)


def _boolean(
    name: str, description: str, *, mutability: Mutability = "readWrite"
) -> AttributeDefinition:
    return AttributeDefinition(
        name=name, type="boolean", description=description, mutability=mutability
    )


def _reference(
    name: str,
    description: str,
    reference_types: tuple[str, ...],
    *,
    mutability: Mutability = "readWrite",
) -> AttributeDefinition:
    """RFC 7643 §2.3.7: a reference is case-exact."""
    return AttributeDefinition(
        name=name,
        type="reference",
        description=description,
        case_exact=True,
        mutability=mutability,
        reference_types=reference_types,
    )


def _date_time(name: str, description: str) -> AttributeDefinition:
    return AttributeDefinition(
        name=name, type="dateTime", description=description, mutability="readOnly"
    )


def _granted() -> tuple[AttributeDefinition, ...]:
    """How an assignment (to an account or an application) came to be
    (connector.served.provenance)."""
    return (
        _date_time(
            "grantedAt",
            "When the assignment was made, where known: by this connector's write "
            "ledger, or by CloudTrail through the change feed.",
        ),
        _string(
            "grantedBy",
            "Who made it: the name of the API token that asked this connector, or "
            "the caller CloudTrail recorded (an ARN or a user name).",
            mutability="readOnly",
        ),
        _string(
            "grantedThrough",
            "'connector' when made through this connector, else 'outOfBand' (the "
            "console, another tool, or before the connector kept a record).",
            canonical_values=("connector", "outOfBand"),
            mutability="readOnly",
        ),
        _id_string(
            "operation",
            "The id of this connector's write operation that made it "
            "(/Operations/{id}), when made through the connector.",
            mutability="readOnly",
        ),
    )


def _last_used(description: str) -> AttributeDefinition:
    """When an access was last used (connector.store.last_use): not part of the
    resource's version, so it moves neither meta.lastModified nor the weak ETag."""
    return _date_time(
        "lastUsed",
        f"{description} CloudTrail's GetRoleCredentials, kept from 90 days back; null "
        "when no use is known (never used, as far as those 90 days and the connector "
        "since can tell). Does not change meta.lastModified or meta.version.",
    )


def _stamps(owner: str) -> tuple[AttributeDefinition, ...]:
    """The Identity Store's record of who made and last changed a user or group
    (its CreatedAt is `meta.created`)."""
    return (
        _string(
            "createdBy",
            f"Who created the {owner}, as the Identity Store records it.",
            mutability="readOnly",
        ),
        _date_time("updatedAt", f"When the Identity Store last changed the {owner}."),
        _string(
            "updatedBy",
            f"Who last changed the {owner}, as the Identity Store records it.",
            mutability="readOnly",
        ),
    )


def _member_since() -> tuple[AttributeDefinition, ...]:
    """How the user became a member of the granting group."""
    return (
        _date_time(
            "memberSince",
            "When the user was added to the granting group: by this connector's "
            "write ledger, else the Identity Store's CreatedAt of the membership.",
        ),
        _string(
            "memberAddedBy",
            "Who added the user: the API token's name, else the Identity Store's "
            "CreatedBy of the membership.",
            mutability="readOnly",
        ),
        _string(
            "memberAddedThrough",
            "'connector' when added through this connector, else 'outOfBand'.",
            canonical_values=("connector", "outOfBand"),
            mutability="readOnly",
        ),
        _id_string(
            "memberOperation",
            "The id of this connector's write operation that added the user.",
            mutability="readOnly",
        ),
    )


def _complex(
    name: str,
    description: str,
    *sub_attributes: AttributeDefinition,
    multi_valued: bool = False,
    mutability: Mutability = "readWrite",
    returned: Returned = "default",
    required: bool = False,
) -> AttributeDefinition:
    return AttributeDefinition(
        name=name,
        type="complex",
        description=description,
        required=required,
        multi_valued=multi_valued,
        mutability=mutability,
        returned=returned,
        sub_attributes=sub_attributes,
    )


def _primary(what: str) -> AttributeDefinition:
    """RFC 7643 §2.4: at most one value of a multi-valued attribute is primary."""
    return _boolean("primary", f"Whether this is the preferred {what}.")


def _typed_values(
    name: str, description: str, value_description: str, types: tuple[str, ...]
) -> AttributeDefinition:
    """The value/type/primary shape of `emails` and `phoneNumbers` (RFC 7643 §4.1.2)."""
    return _complex(
        name,
        description,
        _string("value", value_description),
        _string("type", "A label for the value's function.", canonical_values=types),
        _primary(name.removesuffix("s")),
        multi_valued=True,
    )


def _addresses() -> AttributeDefinition:
    """RFC 7643 §4.1.2 `addresses`."""
    return _complex(
        "addresses",
        "Physical mailing addresses of the User.",
        _string("formatted", "The full mailing address, formatted for display."),
        _string("streetAddress", "The street address: house number, street, and so on."),
        _string("locality", "The city or locality."),
        _string("region", "The state or region."),
        _string("postalCode", "The zip code or postal code."),
        _string("country", "The country name (ISO 3166-1 alpha-2 code)."),
        _string("type", "A label for the address's function.", canonical_values=_CONTACT_TYPES),
        _primary("address"),
        multi_valued=True,
    )


def _reference_list(
    name: str,
    description: str,
    *extra: AttributeDefinition,
    reference_types: tuple[str, ...],
    type_values: tuple[str, ...],
    mutability: Mutability,
    item_mutability: Mutability,
) -> AttributeDefinition:
    """The value/$ref/display/type shape of `groups` and `members` (RFC 7643 §4.1.2, §4.2)."""
    return _complex(
        name,
        description,
        _id_string("value", "The id of the referenced resource.", mutability=item_mutability),
        _reference(
            "$ref",
            "The URI of the referenced resource.",
            reference_types,
            mutability=item_mutability,
        ),
        _string(
            "display", "A human-readable name of the referenced resource.", mutability="readOnly"
        ),
        _string(
            "type",
            "The type of the referenced resource.",
            canonical_values=type_values,
            mutability=item_mutability,
        ),
        *extra,
        multi_valued=True,
        mutability=mutability,
    )


def _external_ids(owner: str) -> AttributeDefinition:
    """Identity Store `ExternalIds`: the ids an external identity provider issued."""
    return _complex(
        "externalIds",
        f"The identifiers issued to this {owner} by an external identity provider.",
        _id_string("issuer", "The issuer of the identifier."),
        _id_string("id", "The identifier."),
        multi_valued=True,
    )


def _read_only(attribute: AttributeDefinition) -> AttributeDefinition:
    """The attribute and its sub-attributes as clients may only read them (RFC 7643 §2.2)."""
    return replace(
        attribute,
        mutability="readOnly",
        sub_attributes=tuple(_read_only(sub) for sub in attribute.sub_attributes),
    )


def _read_only_schema(
    id: str, name: str, description: str, *attributes: AttributeDefinition
) -> SchemaDefinition:
    return SchemaDefinition(
        id=id,
        name=name,
        description=description,
        attributes=tuple(_read_only(attribute) for attribute in attributes),
    )


# -- RFC 7643 §3.1: the common attributes -------------------------------------------------------

ID: Final = AttributeDefinition(
    name="id",
    description="A unique identifier for the resource, issued by the service provider.",
    case_exact=True,
    mutability="readOnly",
    returned="always",
    uniqueness="server",
)
EXTERNAL_ID: Final = _id_string(
    "externalId", "An identifier for the resource as defined by the provisioning client."
)
META: Final = _read_only(
    _complex(
        "meta",
        "Resource metadata.",
        _id_string("resourceType", "The name of the resource type of the resource."),
        AttributeDefinition(
            name="created", type="dateTime", description="When the resource was added."
        ),
        AttributeDefinition(
            name="lastModified",
            type="dateTime",
            description="When the resource was last changed.",
        ),
        _reference("location", "The URI of the resource.", ("uri",)),
        _id_string("version", "The version (entity tag) of the resource."),
    )
)
COMMON_ATTRIBUTES: Final = (ID, EXTERNAL_ID, META)

# -- RFC 7643 §4.1: User ------------------------------------------------------------------------

CORE_USER_SCHEMA: Final = SchemaDefinition(
    id=urns.CORE_USER,
    name="User",
    description="User Account",
    attributes=(
        _string(
            "userName",
            "Unique identifier for the User, used by the user to sign in.",
            required=True,
            uniqueness="server",
        ),
        # The Identity Store requires a display name and given and family names
        # on every user (CreateUser), so the schema says so.
        _complex(
            "name",
            "The components of the user's real name.",
            _string("formatted", "The full name, formatted for display."),
            _string("familyName", "The family name of the User.", required=True),
            _string("givenName", "The given name of the User.", required=True),
            _string("middleName", "The middle name(s) of the User."),
            _string("honorificPrefix", "The honorific prefix(es) of the User."),
            _string("honorificSuffix", "The honorific suffix(es) of the User."),
            required=True,
        ),
        _string(
            "displayName", "The name of the User, suitable for display to end-users.", required=True
        ),
        _string("nickName", "The casual way to address the user."),
        _reference(
            "profileUrl", "A fully qualified URL to the User's online profile.", ("external",)
        ),
        _string("title", "The user's title, such as 'Vice President'."),
        _string("userType", "The relationship between the organization and the user."),
        _string("preferredLanguage", "The User's preferred written or spoken language."),
        _string("locale", "The User's default location, for localizing items."),
        _string("timezone", "The User's time zone in IANA Time Zone database format."),
        _boolean("active", "The User's administrative status."),
        _typed_values(
            "emails", "Email addresses for the user.", "An email address.", _CONTACT_TYPES
        ),
        _typed_values(
            "phoneNumbers",
            "Phone numbers for the User.",
            "A phone number.",
            ("work", "home", "mobile", "fax", "pager", "other"),
        ),
        _addresses(),
        # The Identity Store's Roles (at most one) and Photos (up to three, one
        # primary; API_User.html); a Role has no display (API_Role.html).
        _typed_values("roles", "The User's roles.", "The name of a role.", ()),
        _complex(
            "photos",
            "URLs of images of the User.",
            _reference("value", "The URL of an image of the User.", ("external",)),
            _string("display", "A human-readable description of the photo."),
            _string(
                "type",
                "A label for the photo's function.",
                canonical_values=("photo", "thumbnail"),
            ),
            _primary("photo"),
            multi_valued=True,
        ),
        _reference_list(
            "groups",
            "The groups the user belongs to.",
            reference_types=("User", "Group"),
            type_values=("direct", "indirect"),
            mutability="readOnly",
            item_mutability="readOnly",
        ),
        _complex(
            "entitlements",
            "The entitlements the user holds by direct assignment: account entitlements "
            "and applications.",
            _id_string("value", "The id of the Entitlement."),
            _string("display", "A human-readable name of the entitlement.", mutability="readOnly"),
            _string(
                "type",
                "The kind of entitlement: 'permissionSet' or 'application'.",
                canonical_values=ENTITLEMENT_TYPES,
            ),
            _primary("entitlement"),
            multi_valued=True,
        ),
    ),
)

# RFC 7643 §4.3: Enterprise User, the Identity Store's "aws:identitystore:enterprise"
# extension (CreateUser and UpdateUser write it); the manager's displayName follows
# from its value, so clients only read it.
ENTERPRISE_USER_SCHEMA: Final = SchemaDefinition(
    id=urns.ENTERPRISE_USER,
    name="EnterpriseUser",
    description="Enterprise User",
    attributes=(
        _string("employeeNumber", "A string identifier assigned by the organization."),
        _string("costCenter", "The name of a cost center."),
        _string("organization", "The name of an organization."),
        _string("division", "The name of a division."),
        _string("department", "The name of a department."),
        _complex(
            "manager",
            "The User's manager.",
            _id_string("value", "The id of the SCIM resource representing the User's manager."),
            _reference("$ref", "The URI of the manager's SCIM resource.", ("User",)),
            _string("displayName", "The manager's displayName.", mutability="readOnly"),
        ),
    ),
)

_AWS_USER_READ_ONLY: Final = _read_only_schema(
    urns.AWS_USER,
    "AwsUser",
    "What Identity Center knows of a user beyond the core schemas.",
    _id_string("identityStoreId", "The Identity Store the user lives in."),
    _external_ids("user"),
    _string("userStatus", "Whether Identity Center lets the user sign in."),
    *_stamps("user"),
    _complex(
        "effectiveAccess",
        "Every entitlement the user holds and each way it holds it: one entry per "
        "route, so a direct assignment and each granting group are separate entries "
        "(RFC 7643 §2.3.8 allows no complex attribute inside a complex one). Returned "
        "only when requested: it is derived, and often the largest part of a user.",
        _id_string("value", "The id of the Entitlement."),
        _string("display", "A human-readable name of the entitlement."),
        _string(
            "type",
            "The kind of entitlement: 'permissionSet' or 'application'.",
            canonical_values=ENTITLEMENT_TYPES,
        ),
        _id_string("accountId", "The AWS account the access is to (account entitlements)."),
        _string("accountName", "The name of that AWS account."),
        _id_string("permissionSetArn", "The ARN of the permission set granted."),
        _string("permissionSetName", "The name of that permission set."),
        _id_string("applicationArn", "The ARN of the application (application entitlements)."),
        _string("applicationName", "The name of that application."),
        _string(
            "via",
            "'direct' when assigned to the user, 'group' when through a group.",
            canonical_values=("direct", "group"),
        ),
        _id_string("viaGroup", "The id of the granting group, when through a group."),
        _string("viaGroupDisplay", "The granting group's displayName, when through a group."),
        *_granted(),
        *_member_since(),
        _last_used(
            "When the user last got credentials for this account and permission set "
            "(the same on every route); null for an application."
        ),
        multi_valued=True,
        returned="request",
    ),
)
# The Identity Store User's Website and Birthdate, which SCIM's schemas lack
# (API_User.html); clients write them through CreateUser and UpdateUser.
AWS_USER_SCHEMA: Final = replace(
    _AWS_USER_READ_ONLY,
    attributes=(
        *_AWS_USER_READ_ONLY.attributes,
        _reference("website", "The User's personal or professional website.", ("external",)),
        _string("birthdate", "The User's date of birth, as YYYY-MM-DD."),
    ),
)

# -- RFC 7643 §4.2: Group -----------------------------------------------------------------------

CORE_GROUP_SCHEMA: Final = SchemaDefinition(
    id=urns.CORE_GROUP,
    name="Group",
    description="Group",
    attributes=(
        _string("displayName", "A human-readable name for the Group.", required=True),
        # Identity Center groups hold users only, never groups.
        _reference_list(
            "members",
            "The members of the Group.",
            reference_types=("User",),
            type_values=("User",),
            mutability="readWrite",
            item_mutability="immutable",
        ),
    ),
)

# The description and the group's own entitlements are written through the API
# (UpdateGroup, account assignments); the external ids are the IdP's.
AWS_GROUP_SCHEMA: Final = SchemaDefinition(
    id=urns.AWS_GROUP,
    name="AwsGroup",
    description="What Identity Center knows of a group beyond the core schema.",
    attributes=(
        _string("description", "The group's description."),
        _read_only(_external_ids("group")),
        *_stamps("group"),
        _complex(
            "entitlements",
            "The entitlements assigned to the group itself: account entitlements and applications.",
            _id_string("value", "The id of the Entitlement."),
            _string("display", "A human-readable name of the entitlement.", mutability="readOnly"),
            _string(
                "type",
                "The kind of entitlement: 'permissionSet' or 'application'.",
                canonical_values=ENTITLEMENT_TYPES,
            ),
            multi_valued=True,
        ),
    ),
)

# -- Ours: what an IGA platform grants ----------------------------------------------------------

ENTITLEMENT_SCHEMA: Final = _read_only_schema(
    urns.ENTITLEMENT,
    "Entitlement",
    "What an assignment grants: a permission set on an AWS account (type "
    "'permissionSet', id '<account>.ps-...') or an Identity Center application (type "
    "'application', id 'app.apl-...').",
    _string(
        "displayName",
        "For example 'ReadOnly @ prod-payments (111122223333)', or the application's name.",
    ),
    _string("type", "The kind of entitlement.", canonical_values=ENTITLEMENT_TYPES),
    _boolean("provisioned", "Whether the permission set is provisioned to the account."),
    _complex(
        "permissionSet",
        "The permission set granted.",
        _id_string("value", "The id of the PermissionSet."),
        _id_string("arn", "The ARN of the permission set."),
        _string("name", "The name of the permission set."),
        _string("description", "The description of the permission set."),
        _string("sessionDuration", "The length of a session, as an ISO 8601 duration."),
        _reference("$ref", "The URI of the PermissionSet.", ("PermissionSet",)),
    ),
    _complex(
        "policySummary",
        "What the permission set allows, in brief.",
        _id_string("managedPolicies", "The ARNs of its AWS managed policies.", multi_valued=True),
        _id_string(
            "customerManagedPolicies",
            "Its customer managed policies, as path followed by name.",
            multi_valued=True,
        ),
        _boolean("hasInlinePolicy", "Whether it has an inline policy."),
        _id_string("permissionsBoundary", "Its permissions boundary, if any."),
    ),
    _complex(
        "application",
        "The Identity Center application an application entitlement gives access to.",
        _id_string("arn", "The ARN of the application."),
        _string("name", "The name of the application."),
        _string("description", "The description of the application."),
        _id_string("providerArn", "The ARN of the application provider."),
        _string(
            "status",
            "Whether the application is enabled.",
            canonical_values=("ENABLED", "DISABLED"),
        ),
        _boolean(
            "assignmentRequired",
            "Whether only assigned users and groups may use it; when false every user of "
            "the instance may, though only the assignments are listed as members.",
        ),
    ),
    _complex(
        "account",
        "The AWS account the permission set applies to, or the application's account.",
        _id_string("value", "The AWS account id."),
        _string("name", "The name of the account."),
        _string("status", "The status of the account in AWS Organizations."),
        _reference("$ref", "The URI of the AwsAccount.", ("AwsAccount",)),
    ),
    _reference_list(
        "members",
        "The users and groups that hold the entitlement by direct assignment, "
        "with who assigned each and when (where known).",
        *_granted(),
        _last_used(
            "When the user last got credentials for this account and permission set; "
            "for a group, the latest by any of its members, whatever route they hold it "
            "by; null for an application."
        ),
        reference_types=("User", "Group"),
        type_values=("User", "Group"),
        mutability="readOnly",
        item_mutability="readOnly",
    ),
)

PERMISSION_SET_SCHEMA: Final = _read_only_schema(
    urns.PERMISSION_SET,
    "PermissionSet",
    "An Identity Center permission set: the policies a role in an account gets.",
    _string("name", "The name of the permission set.", uniqueness="server"),
    _id_string("arn", "The ARN of the permission set.", uniqueness="global"),
    _string("description", "The description of the permission set."),
    _string("sessionDuration", "The length of a session, as an ISO 8601 duration."),
    _id_string("relayState", "The URL users are sent to after signing in."),
    _complex(
        "managedPolicies",
        "The AWS managed policies attached.",
        _id_string("arn", "The ARN of the policy."),
        _string("name", "The name of the policy."),
        multi_valued=True,
    ),
    _complex(
        "customerManagedPolicies",
        "The customer managed policies referenced, by name and path in each account.",
        _id_string("name", "The name of the policy."),
        _id_string("path", "The path of the policy."),
        multi_valued=True,
    ),
    _id_string("inlinePolicy", "The inline policy, as a JSON document."),
    _complex(
        "permissionsBoundary",
        "The permissions boundary: an AWS managed policy or a customer managed one.",
        _id_string("managedPolicyArn", "The ARN of the AWS managed policy."),
        _id_string("customerManagedPolicyName", "The name of the customer managed policy."),
        _id_string("customerManagedPolicyPath", "The path of the customer managed policy."),
    ),
    _complex(
        "tags",
        "The tags on the permission set.",
        _id_string("key", "The tag key."),
        _id_string("value", "The tag value."),
        multi_valued=True,
    ),
)

AWS_ACCOUNT_SCHEMA: Final = _read_only_schema(
    urns.AWS_ACCOUNT,
    "AwsAccount",
    "An AWS account assignments can grant access to; its id is the account id.",
    _string("name", "The name of the account."),
    _string("email", "The email address of the account's root user."),
    _string("status", "The status of the account in AWS Organizations, such as ACTIVE."),
)

SCHEMAS: Final[Mapping[str, SchemaDefinition]] = MappingProxyType(
    {
        schema.id: schema
        for schema in (
            CORE_USER_SCHEMA,
            ENTERPRISE_USER_SCHEMA,
            AWS_USER_SCHEMA,
            CORE_GROUP_SCHEMA,
            AWS_GROUP_SCHEMA,
            ENTITLEMENT_SCHEMA,
            PERMISSION_SET_SCHEMA,
            AWS_ACCOUNT_SCHEMA,
        )
    }
)
"""Every schema published at /Schemas, by URN, in publication order (RFC 7644 §4)."""

# -- RFC 7643 §6: resource types ----------------------------------------------------------------

RESOURCE_TYPES: Final[Mapping[str, ResourceTypeDefinition]] = MappingProxyType(
    {
        resource_type.name: resource_type
        for resource_type in (
            ResourceTypeDefinition(
                name="User",
                endpoint="/Users",
                description="User Account",
                schema=urns.CORE_USER,
                schema_extensions=(
                    SchemaExtension(schema=urns.ENTERPRISE_USER, required=False),
                    SchemaExtension(schema=urns.AWS_USER, required=False),
                ),
            ),
            ResourceTypeDefinition(
                name="Group",
                endpoint="/Groups",
                description="Group",
                schema=urns.CORE_GROUP,
                schema_extensions=(SchemaExtension(schema=urns.AWS_GROUP, required=False),),
            ),
            ResourceTypeDefinition(
                name="Entitlement",
                endpoint="/Entitlements",
                description="A permission set on an AWS account, or an Identity Center application",
                schema=urns.ENTITLEMENT,
            ),
            ResourceTypeDefinition(
                name="PermissionSet",
                endpoint="/PermissionSets",
                description="An Identity Center permission set",
                schema=urns.PERMISSION_SET,
            ),
            ResourceTypeDefinition(
                name="AwsAccount",
                endpoint="/AwsAccounts",
                description="An AWS account",
                schema=urns.AWS_ACCOUNT,
            ),
        )
    }
)
"""Every resource type published at /ResourceTypes, by name (RFC 7644 §4)."""


def find_resource_type(name: str) -> ResourceTypeDefinition | None:
    """The resource type called `name`, case-insensitively."""
    wanted = name.casefold()
    return next((rt for rt in RESOURCE_TYPES.values() if rt.name.casefold() == wanted), None)


def find_schema(urn: str) -> SchemaDefinition | None:
    """The published schema named `urn`; RFC 7643 §2.1 makes URNs case-insensitive."""
    wanted = urn.casefold()
    return next((schema for schema in SCHEMAS.values() if schema.id.casefold() == wanted), None)


# -- RFC 7644 §3.10: attribute names ------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedAttribute:
    """An attribute path a client named, resolved against the published schemas.

    `schema` is the URN the attribute belongs to; the common attributes of
    RFC 7643 §3.1 belong to the resource type's base schema, and `common` says so.
    """

    schema: str
    attribute: AttributeDefinition
    sub_attribute: AttributeDefinition | None = None
    common: bool = False

    @property
    def definition(self) -> AttributeDefinition:
        """The most specific definition named: the sub-attribute, when there is one."""
        return self.sub_attribute or self.attribute

    @property
    def path(self) -> str:
        """The path without URN, in the published spelling: `name.givenName`."""
        if self.sub_attribute is None:
            return self.attribute.name
        return f"{self.attribute.name}.{self.sub_attribute.name}"


def find_attribute(
    resource_type: str, uri: str | None, attr: str, sub_attr: str | None
) -> ResolvedAttribute | None:
    """Resolve an attribute path of RFC 7644 §3.10 for one resource type, or None.

    Names and URNs compare case-insensitively (RFC 7643 §2.1). Attributes of
    the base schema and the common attributes resolve with or without the base
    URN; attributes of an extension only with its URN ("Clients ... SHOULD fully
    qualify extended attributes"; we require it so that a name never means two
    things). The URN may come in `uri` or prefix `attr`; a sub-attribute may
    come in `sub_attr` or after a dot in `attr`. A complex attribute named
    without a sub-attribute resolves to itself.

    Raises KeyError for a resource type the service does not publish: that is
    the caller's mistake, not the client's.
    """
    definition = find_resource_type(resource_type)
    if definition is None:
        raise KeyError(resource_type)
    if uri is None and attr.casefold().startswith("urn:"):
        uri, _, attr = attr.rpartition(":")
    if sub_attr is None and "." in attr:
        attr, _, sub_attr = attr.partition(".")

    schema_id = definition.schema
    if uri is not None:
        named = find_schema(uri)
        if named is None or named.id not in definition.schema_ids:
            return None
        schema_id = named.id

    common = False
    attribute: AttributeDefinition | None = None
    if schema_id == definition.schema:
        attribute = next(
            (a for a in COMMON_ATTRIBUTES if a.name.casefold() == attr.casefold()), None
        )
        common = attribute is not None
    if attribute is None:
        attribute = SCHEMAS[schema_id].attribute(attr)
    if attribute is None:
        return None
    if sub_attr is None:
        return ResolvedAttribute(schema_id, attribute, None, common)
    sub_attribute = attribute.sub_attribute(sub_attr)
    if sub_attribute is None:
        return None
    return ResolvedAttribute(schema_id, attribute, sub_attribute, common)


# -- RFC 7643 §5: service provider configuration ------------------------------------------------


def service_provider_config(
    *, max_results: int, documentation_uri: str | None, location: str | None = None
) -> dict[str, Any]:
    """The /ServiceProviderConfig document (RFC 7643 §5).

    PATCH waits for writes; bulk, password changes stay unsupported. `bulk`
    still states its limits, which §5 makes REQUIRED even when unsupported.
    """
    bearer: dict[str, Any] = {
        "type": "oauthbearertoken",
        "name": "Bearer token",
        "description": "An API token sent as an OAuth 2.0 bearer token (RFC 6750).",
        "specUri": "https://www.rfc-editor.org/info/rfc6750",
        "primary": True,
    }
    config: dict[str, Any] = {"schemas": [urns.SERVICE_PROVIDER_CONFIG]}
    if documentation_uri is not None:
        config["documentationUri"] = documentation_uri
        bearer["documentationUri"] = documentation_uri
    config |= {
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": max_results},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [bearer],
    }
    meta: dict[str, Any] = {"resourceType": "ServiceProviderConfig"}
    if location is not None:
        meta["location"] = location
    config["meta"] = meta
    return config
