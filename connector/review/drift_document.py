"""The drift report as a document: JSON data (the HTTP answer and `--format json`) or
text lines for a person at a terminal, with the same content."""

from __future__ import annotations

from typing import Any

from connector.review.drift import DriftReport, DriftRow, Named
from connector.served.provenance import utc


def report_json(report: DriftReport) -> dict[str, Any]:
    return {
        "generatedAt": utc(report.generated_at),
        "snapshot": {"syncId": report.snapshot_sync_id, "syncedAt": utc(report.synced_at)},
        "since": utc(report.query.since),
        "unusedDays": report.query.unused_days,
        "kinds": [
            {
                "kind": kind.kind,
                "title": kind.title,
                "known": kind.unknown is None,
                "unknownReason": kind.unknown,
                "count": kind.count,
                "rows": [_row_json(row) for row in kind.rows],
            }
            for kind in report.kinds
        ],
    }


def report_text(report: DriftReport) -> str:
    since = utc(report.query.since) or "any time"
    lines = [
        f"drift report, generated {utc(report.generated_at)}",
        (
            f"snapshot of sync {report.snapshot_sync_id}, synced {utc(report.synced_at)}"
            if report.snapshot_sync_id is not None
            else "no snapshot"
        ),
        f"out of band since {since}; unused for more than {report.query.unused_days} days",
    ]
    for kind in report.kinds:
        lines.append("")
        if kind.unknown:
            lines.append(f"{kind.title}: unknown ({kind.unknown})")
            continue
        lines.append(f"{kind.title}: {kind.count}")
        lines += [f"  {_row_text(row)}" for row in kind.rows]
    return "\n".join(lines)


def _row_json(row: DriftRow) -> dict[str, Any]:
    return {
        "principal": _named_json(row.principal, row.principal_type),
        "account": _named_json(row.account),
        "permissionSet": _named_json(row.permission_set),
        "group": _named_json(row.group),
        "grantedAt": utc(row.granted_at),
        "grantedBy": row.granted_by,
        "why": row.why,
    }


def _named_json(named: Named | None, principal_type: str | None = None) -> dict[str, Any] | None:
    """id and name; a principal's type (USER, GROUP) and an account's status where known."""
    if named is None:
        return None
    facts = {"type": principal_type, "status": named.status}
    return {"id": named.id, "name": named.name, **{k: v for k, v in facts.items() if v}}


def _row_text(row: DriftRow) -> str:
    parts = []
    if row.principal is not None:
        parts.append(f"{(row.principal_type or '').lower()} {_named_text(row.principal)}")
    if row.permission_set is not None:
        parts.append(_named_text(row.permission_set))
    if row.account is not None:
        parts.append(f"in account {_named_text(row.account)}")
    if row.group is not None:
        parts.append(f"group {_named_text(row.group)}")
    if row.granted_at is not None or row.granted_by is not None:
        parts.append(f"granted {utc(row.granted_at) or 'at an unknown time'}")
        parts.append(f"by {row.granted_by or 'someone unknown'}")
    return f"{' '.join(parts)}: {row.why}"


def _named_text(named: Named) -> str:
    facts = ", ".join(fact for fact in (named.id, named.status) if fact)
    return f"{named.name} ({facts})" if named.name else f"({facts})"
