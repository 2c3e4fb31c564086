"""Reports for certifiers over HTTP: `GET /reports/drift` (docs/access-review.md).

Not a SCIM resource, so outside /scim/v2: a JSON document (or, with
`format=text`, the CLI's text) with the same content as `idc-connector drift`.
Any token but a metrics one reads it (scim.auth); a bad parameter is a SCIM
400 invalidValue naming the value, before anything is read.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from connector.errors import ReportParameterError
from connector.review.drift import drift_report
from connector.review.drift_document import report_json, report_text
from connector.review.parameters import DriftQuery, parse_format, parse_since, parse_unused_days
from connector.store.store import utcnow
from scim.errors import ScimError
from scim.request_store import request_connection

blueprint = Blueprint("reports", __name__, url_prefix="/reports")

DRIFT_PARAMETERS = ("since", "unusedDays", "format")


@blueprint.get("/drift")
def drift() -> Response:
    """The drift report of the current snapshot: `since`, `unusedDays`, `format`."""
    args = request.args
    unknown = sorted(set(args) - set(DRIFT_PARAMETERS))
    if unknown:
        raise ScimError(
            400,
            f"unknown parameter {unknown[0]!r}: the drift report takes "
            f"{', '.join(DRIFT_PARAMETERS)}",
            scim_type="invalidValue",
        )
    try:
        query = DriftQuery(
            parse_since(args.get("since"), "since"),
            parse_unused_days(args.get("unusedDays"), "unusedDays"),
        )
        output = parse_format(args.get("format"), "format", "json")
    except ReportParameterError as exc:
        raise ScimError(400, str(exc), scim_type="invalidValue") from None
    report = drift_report(request_connection(), query, utcnow())
    if output == "text":
        return Response(report_text(report) + "\n", mimetype="text/plain")
    return jsonify(report_json(report))
