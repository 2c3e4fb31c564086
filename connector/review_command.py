"""`idc-connector review export`: the access-review export on the command line, written
to standard output as it is read (connector.review.export, docs/access-review.md)."""

from __future__ import annotations

import argparse
import sys

from connector.errors import ReportParameterError
from connector.local_store import local_store
from connector.review.export import last_use_refusal, review_export
from connector.review.export_format import csv_text, json_text
from connector.review.parameters import (
    EXPORT_FORMATS,
    ExportQuery,
    parse_format,
    parse_name,
    parse_unused_days,
)
from connector.store.store import utcnow


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `review` command and its `export`, under the command line's subparsers `sub`."""
    review = sub.add_parser("review", help="evidence for certifiers (docs/access-review.md)")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    export = review_sub.add_parser(
        "export", help="one row per user, entitlement and route, as CSV or JSON"
    )
    export.add_argument("--format", help="csv (the default) or json")
    export.add_argument("--account", help="only this account (id or name)")
    export.add_argument(
        "--ou", help="only accounts in or beneath this OU (name or path; an id: in it)"
    )
    export.add_argument("--permission-set", help="only this permission set (ARN, id or name)")
    export.add_argument("--application", help="only this application (ARN, id or name)")
    export.add_argument("--group", help="only access through this group (id or name)")
    export.add_argument("--unused-days", metavar="N", help="only access unused for N days or more")
    export.set_defaults(handler=cmd_review_export)


def cmd_review_export(args: argparse.Namespace) -> int:
    """Every bad value exits 2 before the store is opened; a filter on days unused that
    last use cannot answer yet exits 2 before any row is written."""
    output = parse_format(args.format, "--format", "csv", EXPORT_FORMATS)
    query = ExportQuery(
        account=parse_name(args.account, "--account"),
        ou=parse_name(args.ou, "--ou"),
        permission_set=parse_name(args.permission_set, "--permission-set"),
        application=parse_name(args.application, "--application"),
        group=parse_name(args.group, "--group"),
        unused_days=(
            None
            if args.unused_days is None
            else parse_unused_days(args.unused_days, "--unused-days")
        ),
    )
    now = utcnow()
    with local_store().reading() as connection:
        refusal = last_use_refusal(connection, query, now)
        if refusal is not None:
            raise ReportParameterError(f"--unused-days: {args.unused_days!r}: {refusal}")
        export = review_export(connection, query, now)
        for text in (csv_text if output == "csv" else json_text)(export):
            sys.stdout.write(text)
            sys.stdout.flush()
    return 0
