"""The SCIM endpoints under /scim/v2, one module-level blueprint per area:
`resources` (reads), `writes`, `operations` (the write ledger) and `discovery`.
Every request under /scim/v2 passes the input checks (`scim.input_checks`)
before any view reads it."""

from __future__ import annotations

from flask import Blueprint

from scim.input_checks import install_input_checks
from scim.served import BASE_PATH
from scim.views import discovery, operations, resources, writes

blueprint = Blueprint("scim", __name__, url_prefix=BASE_PATH)
install_input_checks(blueprint)
for area in (resources, writes, operations, discovery):
    blueprint.register_blueprint(area.blueprint)
