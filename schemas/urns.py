"""The URNs that name every schema and API message the service speaks.

RFC 7643 §3 and §10.2 register the `urn:ietf:params:scim` names; RFC 7644 §3.1 adds
the API messages. Schemas of our own live under our own namespace, never under
`urn:ietf`, which only IANA assigns (RFC 7643 §10.2.2).
"""

from __future__ import annotations

from typing import Final

# RFC 7643 §4.1, §4.2, §4.3: the resource schemas.
CORE_USER: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER: Final = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# RFC 7644 §3.4.2, §3.4.3, §3.12, §3.5.2: the API messages.
LIST_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST: Final = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
ERROR: Final = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_OP: Final = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# RFC 7643 §5, §6, §7: the discovery documents.
SERVICE_PROVIDER_CONFIG: Final = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE: Final = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Schema"

# Ours: what Identity Center knows beyond the core schemas, and the resources an
# IGA platform grants (RFC 7643 §3.3 extensions, §6 resource types).
AWS_USER: Final = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"
AWS_GROUP: Final = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"
ENTITLEMENT: Final = "urn:identity-center-connector:scim:schemas:2.0:Entitlement"
PERMISSION_SET: Final = "urn:identity-center-connector:scim:schemas:2.0:PermissionSet"
AWS_ACCOUNT: Final = "urn:identity-center-connector:scim:schemas:2.0:AwsAccount"
