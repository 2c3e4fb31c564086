"""What every SCIM answer shares, for the read and the write endpoints alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, json

from connector.store import snapshots
from scim.errors import SCIM_MEDIA_TYPE, ScimError


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=SCIM_MEDIA_TYPE
    )
    response.headers.update(headers or {})
    return response


def served_snapshot_id(connection: sa.Connection) -> int:
    """The snapshot served now; 503 (with Retry-After) before the first sync."""
    snapshot_id = snapshots.current_snapshot_id(connection)
    if snapshot_id is None:
        raise ScimError(
            503, "no data yet: the first sync has not finished", headers={"Retry-After": "30"}
        )
    return snapshot_id
