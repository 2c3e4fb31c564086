"""Reports for certifiers over HTTP: `GET /reports/drift` and `GET /reports/review`
(docs/access-review.md).

Not SCIM resources, so outside /scim/v2: the drift report is a JSON document (or,
with `format=text`, the CLI's text) with the same content as `idc-connector drift`;
the review export is the CSV or JSON of `idc-connector review export`, streamed.
Any token but a metrics one reads them (scim.auth); a bad parameter is a SCIM
400 invalidValue naming the value, before anything is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from connector.errors import ReportParameterError
from connector.review.drift import drift_report
from connector.review.drift_document import report_json, report_text
from connector.review.export import last_use_refusal, review_export
from connector.review.export_format import csv_text, json_text
from connector.review.parameters import (
    EXPORT_FORMATS,
    FORMATS,
    DriftQuery,
    ExportFormat,
    ExportQuery,
    parse_format,
    parse_name,
    parse_since,
    parse_unused_days,
)
from connector.store.store import Store, utcnow
from scim.errors import ScimError
from scim.request_store import request_connection

blueprint = Blueprint("reports", __name__, url_prefix="/reports")

DRIFT_PARAMETERS = ("since", "unusedDays", "format")
REVIEW_PARAMETERS = (
    "format",
    "account",
    "ou",
    "permissionSet",
    "application",
    "group",
    "unusedDays",
)
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


@blueprint.get("/drift")
def drift() -> Response:
    """The drift report of the current snapshot: `since`, `unusedDays`, `format`."""
    args = request.args
    _refuse_unknown(DRIFT_PARAMETERS, "the drift report")
    try:
        query = DriftQuery(
            parse_since(args.get("since"), "since"),
            parse_unused_days(args.get("unusedDays"), "unusedDays"),
        )
        output = parse_format(args.get("format"), "format", "json", FORMATS)
    except ReportParameterError as exc:
        raise ScimError(400, str(exc), scim_type="invalidValue") from None
    report = drift_report(request_connection(), query, utcnow())
    if output == "text":
        return Response(report_text(report) + "\n", mimetype="text/plain")
    return jsonify(report_json(report))


@blueprint.get("/review")
def review() -> Response:
    """The access-review export of the current snapshot, streamed as it is read.

    Parameters, the response's status and the check that last use can answer
    `unusedDays` come first, on the request's transaction; the rows are then read
    in a transaction of their own, opened by the streamed body (the request's
    ends before the body is sent: scim.request_store).
    """
    args = request.args
    _refuse_unknown(REVIEW_PARAMETERS, "the review export")
    now = utcnow()
    try:
        output = parse_format(args.get("format"), "format", "csv", EXPORT_FORMATS)
        days = args.get("unusedDays")
        query = ExportQuery(
            account=parse_name(args.get("account"), "account"),
            ou=parse_name(args.get("ou"), "ou"),
            permission_set=parse_name(args.get("permissionSet"), "permissionSet"),
            application=parse_name(args.get("application"), "application"),
            group=parse_name(args.get("group"), "group"),
            unused_days=None if days is None else parse_unused_days(days, "unusedDays"),
        )
    except ReportParameterError as exc:
        raise ScimError(400, str(exc), scim_type="invalidValue") from None
    refusal = last_use_refusal(request_connection(), query, now)
    if refusal is not None:
        raise ScimError(400, f"unusedDays: {days!r}: {refusal}", scim_type="invalidValue")
    store: Store = current_app.extensions["idcc_store"]
    body = stream_with_context(_review_text(store, query, output, now))
    return Response(body, mimetype=MEDIA_TYPES[output])


def _review_text(
    store: Store, query: ExportQuery, output: ExportFormat, now: datetime
) -> Iterator[str]:
    with store.reading() as connection:
        export = review_export(connection, query, now)
        yield from (csv_text if output == "csv" else json_text)(export)


def _refuse_unknown(known: tuple[str, ...], report: str) -> None:
    unknown = sorted(set(request.args) - set(known))
    if unknown:
        raise ScimError(
            400,
            f"unknown parameter {unknown[0]!r}: {report} takes {', '.join(known)}",
            scim_type="invalidValue",
        )
