"""The feed benchmark's results as JSON (everything) and markdown (the tables to publish)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.machine import machine_line
from bench.sync_report import number


def _seconds(summary: dict[str, Any]) -> str:
    def one(value: Any) -> str:
        return "not seen" if value is None else f"{value:.2f}"

    return " / ".join(one(summary[k]) for k in ("p50", "p95", "max"))


def _share(shares: list[dict[str, Any]], quota: str) -> str:
    for share in shares:
        if share["quota"] == quota:
            busiest = f", {share['busiest_operation']}" if share["busiest_operation"] else ""
            return f"{100 * share['share']:.2f}% ({share['calls']}{busiest})"
    return "-"


def _row(run: dict[str, Any]) -> str:
    if not run.get("ok"):
        return f"| {run['source']} | FAILED: {run.get('error', '')[:200]} |"
    fresh, aws, rec = run["freshness"], run["aws"], run["reconciliation"]
    shares = aws["quota_shares"]
    cells = [
        run["source"],
        f"{fresh['delivery_delay']:g}",
        f"{fresh['seen']}/{fresh['changes']}",
        _seconds(fresh["seconds"]),
        _seconds(fresh["connector_share_seconds"]),
        number(aws["per_change"], 2),
        number(aws["identity_center_per_change"], 2),
        _share(shares, "sso-admin"),
        _share(shares, "identitystore"),
        _share(shares, "cloudtrail:LookupEvents"),
        _share(shares, "organizations"),
        number(aws["throttled"]),
        str(rec["missed"]) if rec.get("ok") else "sync failed",
    ]
    return "| " + " | ".join(cells) + " |"


def _operations(runs: list[dict[str, Any]]) -> list[str]:
    measured = [r for r in runs if r.get("ok")]
    operations = sorted({op for r in measured for op in r["aws"]["by_operation"]})
    lines = [
        "| operation | " + " | ".join(r["source"] for r in measured) + " |",
        "|" + " --- |" * (len(measured) + 1),
    ]
    for op in operations:
        cells = [number(r["aws"]["by_operation"].get(op, 0)) for r in measured]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    per = [f"{number(r['aws']['calls'])} ({r['aws']['per_change']:.2f})" for r in measured]
    lines.append("| all (per change) | " + " | ".join(per) + " |")
    return lines


def _by_kind(runs: list[dict[str, Any]]) -> list[str]:
    lines = ["| source | change | p50 / p95 / max s |", "| --- | --- | --- |"]
    for run in runs:
        if run.get("ok"):
            for kind, summary in run["freshness"]["by_kind"].items():
                lines.append(f"| {run['source']} | {kind} | {_seconds(summary)} |")
    return lines


def _reconciliations(runs: list[dict[str, Any]]) -> list[str]:
    """What `idc-connector status` showed after each reconciliation, and what it missed."""
    lines = []
    for run in runs:
        reconciliation = run.get("reconciliation") or {}
        if not reconciliation.get("ok"):
            continue
        lines += [
            f"{run['source']}: `idc-connector status` after the reconciling sync "
            f"({reconciliation['wall_seconds']:g} s, {reconciliation['aws_calls']:,} AWS calls):",
            "",
            "```text",
            *reconciliation.get("status", []),
            "```",
            "",
        ]
        if reconciliation["first_missed"]:
            missed = ", ".join(" ".join(m) for m in reconciliation["first_missed"])
            lines += [f"Missed (the first 20): {missed}", ""]
    return lines


def markdown(results: dict[str, Any]) -> str:
    mode = results["mode"]
    lines = [
        f"Change feed benchmark ({mode['name']} mode), {results['finished_at']}: "
        + machine_line(results["machine"]),
        "",
        f"Command: `{results['command']}`",
        "",
        f"Organisation {mode['dataset']}; {mode['changes']} changes as a console administrator, "
        f"{mode['rate']:g} a second for {mode['seconds']:g} s, after the first full sync; "
        "simulator: 50 ms a request, AWS's quotas; connector: the feed's default settings"
        + (
            " (the two sources ran side by side)."
            if mode["side_by_side"] and len(results["runs"]) > 1
            else "."
        ),
        "",
        "| source | delivery delay s | seen | freshness p50 / p95 / max s "
        "| connector's share p50 / p95 / max s | AWS calls per change "
        "| of which Identity Center reads | sso-admin quota | identitystore quota "
        "(busiest operation) | LookupEvents quota | Organizations quota | throttled "
        "| missed at reconciliation |",
        "|" + " --- |" * 13,
        *(_row(r) for r in results["runs"]),
        "",
        "| target | status | failing |",
        "| --- | --- | --- |",
        *(
            f"| {t['target']} | {t['status']} | {', '.join(t['failing']) or '-'} |"
            for t in results["targets"]
        ),
        "",
        *_reconciliations(results["runs"]),
        "The connector's AWS calls, from the first change until the last was seen:",
        "",
        *_operations(results["runs"]),
        "",
        "Freshness by kind of change:",
        "",
        *_by_kind(results["runs"]),
        "",
        "Freshness: from AWS's answer to the change to the return of the first SCIM read "
        "(over HTTP, `idc-connector serve --no-sync`) that shows it; a change not seen "
        "within the drain time counts as not seen. Connector's share: freshness minus the "
        "simulator's delivery delay. Quota shares: the connector's calls while changes were "
        "made, over the quota's rate times that time (identitystore and Organizations: the "
        "busiest operation; Organizations at the simulator's 10/s). Calls: the simulator's "
        "call log, by the connector's access key.",
    ]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = "feed" if results["mode"]["name"] == "full" else f"feed-{results['mode']['name']}"
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path
