"""Every served resource type, in the order the service publishes them.

A new served type is its connector module (`connector.served`), its module
here ending in an `Endpoint`, and one line in `ENDPOINTS`. The read views,
the rendering after a sync and the write views all find a type here: by
name (`meta.resourceType`, the change record's), or by the path it is
served under.
"""

from __future__ import annotations

from collections.abc import Mapping

from scim.resources.accounts import ACCOUNTS
from scim.resources.endpoint import Endpoint
from scim.resources.entitlements import ENTITLEMENTS
from scim.resources.groups import GROUPS
from scim.resources.permission_sets import PERMISSION_SETS
from scim.resources.users import USERS
from scim.sql_map import ResourceSql

ENDPOINTS: tuple[Endpoint, ...] = (USERS, GROUPS, ENTITLEMENTS, PERMISSION_SETS, ACCOUNTS)

BY_NAME: Mapping[str, Endpoint] = {endpoint.name: endpoint for endpoint in ENDPOINTS}

SQL: Mapping[str, ResourceSql] = {endpoint.name: endpoint.sql for endpoint in ENDPOINTS}
