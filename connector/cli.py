"""`idc-connector`: the command line, and the one place that wires every part.

Each command reads settings, calls into the connector, and turns a
`ConnectorError` into one clear message and its exit code (2 for
configuration), never a traceback. `serve` and `demo` import the HTTP side
lazily: this module is the composition root; the rest of `connector` never
imports Flask.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from types import FrameType
from typing import Any

from connector import iam_policy
from connector.check import ActionResult, CheckReport, run_check
from connector.checked_settings import load_checked_settings
from connector.connection import connect
from connector.errors import AccessDeniedError, ConfigError, ConnectorError
from connector.feed.lag import FeedLag, feed_lag
from connector.feed.setup_template import setup_text
from connector.leadership import process_name
from connector.logs import configure_logging
from connector.metrics_dir import private_metrics_dir
from connector.review.drift import drift_report
from connector.review.drift_document import report_json, report_text
from connector.review.parameters import DriftQuery, parse_format, parse_since, parse_unused_days
from connector.store import feed_state, leases, ledger
from connector.store.replicas import one_replica_on_sqlite
from connector.store.store import Store, utcnow
from connector.sync import SyncResult
from connector.sync_loop import run_syncs
from connector.tokens import SCOPES, create_token, list_tokens, revoke_token
from connector.writers.registry import intent_from_json

Command = Callable[[argparse.Namespace], int]
log = logging.getLogger("connector.cli")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        as_json = configure_logging()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        code: int = args.handler(args)
    except ConnectorError as exc:
        return _ended(as_json, str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return _ended(as_json, "interrupted", 130)
    return code


def _ended(as_json: bool, message: str, exit_code: int) -> int:
    """A command's last word: `error: ...` for a person at a terminal, a log record
    where the log is JSON (a service's stderr read by a log pipeline)."""
    if as_json:
        log.error(message, extra={"exit_code": exit_code})
    else:
        print(message if exit_code == 130 else f"error: {message}", file=sys.stderr)
    return exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="idc-connector",
        description="SCIM 2.0 connector between AWS IAM Identity Center and IGA platforms.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sync = sub.add_parser("sync", help="read Identity Center into the store once (or --loop)")
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    sync.add_argument(
        "--loop", action="store_true", help="sync every IDCC_SYNC_INTERVAL until stopped"
    )
    sync.add_argument(
        "--quiet",
        action="store_true",
        help="print no summary; the log says how each sync ended (serve's sync process)",
    )
    sync.add_argument(
        "--replica",
        default=None,
        help="with --loop: the name this process leads the fleet's syncs under "
        "(serve passes its own; by default HOST:PID of this process)",
    )
    sync.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop when the process that started this one ends (serve's sync process)",
    )
    sync.set_defaults(handler=cmd_sync)

    check = sub.add_parser("check", help="test credentials, instance discovery and IAM actions")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=cmd_check)

    feed = sub.add_parser("change-feed", help="the change feed (docs/change-feed.md)")
    feed_sub = feed.add_subparsers(dest="feed_command", required=True)
    feed_setup = feed_sub.add_parser(
        "setup", help="print the EventBridge rule, SQS queue and policies the SQS source needs"
    )
    feed_setup.set_defaults(handler=cmd_change_feed_setup)

    policy = sub.add_parser("iam-policy", help="print the least-privilege IAM policy")
    policy.add_argument("--read-only", action="store_true", help="aggregation only, no writes")
    policy.set_defaults(handler=cmd_iam_policy)

    status = sub.add_parser("status", help="show recent syncs and their outcome")
    status.add_argument("--limit", type=int, default=10)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    drift = sub.add_parser("drift", help="what needs a human (docs/access-review.md)")
    drift.add_argument("--since", help="out-of-band changes from this time (ISO 8601, UTC)")
    drift.add_argument("--unused-days", metavar="N", help="unused for more than N days (90)")
    drift.add_argument("--format", help="text (the default) or json")
    drift.set_defaults(handler=cmd_drift)

    operations = sub.add_parser("operations", help="show the write ledger, newest first")
    operations.add_argument("--status", choices=("accepted", "in_progress", "succeeded", "failed"))
    operations.add_argument("--principal", help="a user or group id")
    operations.add_argument("--limit", type=int, default=20)
    operations.add_argument("--json", action="store_true")
    operations.set_defaults(handler=cmd_operations)

    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser("create", help="create a token and print it once")
    create.add_argument("name")
    create.add_argument(
        "--scope",
        choices=SCOPES,
        default="read",
        help="read: SCIM reads; write: reads and writes; metrics: /metrics only (Prometheus)",
    )
    create.set_defaults(handler=cmd_token_create)
    token_sub.add_parser("list", help="list tokens (never their values)").set_defaults(
        handler=cmd_token_list
    )
    revoke = token_sub.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name")
    revoke.set_defaults(handler=cmd_token_revoke)

    serve = sub.add_parser("serve", help="serve the store over HTTP, syncing periodically")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--no-sync", action="store_true", help="serve only; sync elsewhere")
    serve.set_defaults(handler=cmd_serve)

    demo = sub.add_parser(
        "demo", help="simulate an Identity Center, sync it and serve it (no AWS account needed)"
    )
    demo.add_argument("--size", default="tiny", help="seed preset: tiny, S, M, L (default tiny)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--data-dir", default="var/demo")
    demo.set_defaults(handler=cmd_demo)

    simulator = sub.add_parser(
        "simulator", help="run the simulated Identity Center alone (tests, benchmarks)"
    )
    simulator.add_argument("--size", default="tiny", help="seed preset (tiny, S, M, L, ...)")
    simulator.add_argument("--host", default="127.0.0.1")
    simulator.add_argument("--port", type=int, default=0, help="0 picks a free port")
    simulator.add_argument("--manifest", help="write the seed manifest (JSON) to this file")
    simulator.add_argument(
        "--assignment-delay", type=float, default=0.0, help="seconds assignments stay IN_PROGRESS"
    )
    simulator.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="milliseconds each request waits for its answer",
    )
    simulator.add_argument(
        "--quotas",
        choices=("none", "aws"),
        default="none",
        help="throttle requests over AWS's documented quotas (aws) or never (none, default)",
    )
    simulator.add_argument(
        "--organizations-rps",
        type=float,
        default=10.0,
        help="Organizations requests per second per operation under --quotas aws",
    )
    simulator.add_argument(
        "--event-delay",
        type=float,
        default=0.0,
        help="seconds before a CloudTrail event reaches LookupEvents and EventBridge",
    )
    simulator.add_argument(
        "--console-key",
        help="access key id (20 capitals and digits) of an administrator in the console",
    )
    simulator.add_argument("--call-log", help="log every request served to this file")
    simulator.set_defaults(handler=cmd_simulator)
    return parser


# -- commands ----------------------------------------------------------------


def cmd_sync(args: argparse.Namespace) -> int:
    # Imported here, never at the top: prometheus_client must not be imported before
    # `serve` names its metrics folder (connector.metrics_dir).
    from connector.sync_metrics import record_sync

    settings = load_checked_settings()
    store = Store.open(settings.database_url)

    def synced(result: SyncResult) -> None:
        if not args.quiet:
            _print_sync(result, as_json=args.json)
        _render(store)

    stop = _stop_on_signals()
    if args.stop_with_parent:
        _stop_with_parent(stop)
    run_syncs(
        settings,
        store,
        stop,
        loop=args.loop,
        synced=synced,
        ended=record_sync,
        replica=args.replica or process_name(),
    )
    return 0


def _render(store: Store) -> None:
    """Render the new snapshot's documents for the HTTP side (scim.rendering).

    Until they are rendered the service builds documents per request, so a
    failure here costs speed, not correctness: it is logged, not fatal.
    """
    from scim.rendering import render_snapshot

    try:
        rendered = render_snapshot(store)
    except Exception:
        log.exception("rendering the snapshot's documents failed; they are built per request")
        return
    if rendered:
        log.info("documents rendered", extra={"rendered": rendered})


def _stop_with_parent(stop: threading.Event) -> None:
    """Set `stop` once this process's parent has ended (it is then re-parented): a sync
    process whose `serve` was killed would otherwise go on leading the fleet's syncs
    for a replica that no longer serves."""
    parent = os.getppid()

    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent:
                log.warning("the process that started this sync process ended; it stops")
                stop.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _stop_on_signals() -> threading.Event:
    """SIGTERM and SIGINT ask the sync to stop; it then records itself as failed."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        if signum == signal.SIGINT:
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop


_WALK_WORDS = {
    "permission_sets": "permission set",
    "accounts": "account",
    "pairs": "pair",
    "principals": "principal",
}


def _print_sync(result: SyncResult, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.__dict__, indent=2, default=str))
        return
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items())
    print(f"sync {result.sync_id} succeeded in {result.seconds:.1f}s: {counts}")
    changes = result.changes
    for change in ("added", "changed", "removed"):
        if changes[change]:
            parts = ", ".join(f"{v} {k}" for k, v in sorted(changes[change].items()))
            print(f"  {change}: {parts}")
    aws = result.aws
    print(
        f"  AWS calls: {aws['total_calls']} ({aws['http_attempts']} HTTP attempts, "
        f"{aws['total_throttles']} throttled); pairs found per "
        f"{_WALK_WORDS[result.walk['pair_discovery']]}, assignments read per "
        f"{_WALK_WORDS[result.walk['assignment_walk']]}"
    )
    for operation, count in aws["calls"].items():
        print(f"    {operation:<60} {count:>7}")
    if result.organizations_unavailable:
        print(f"  note: account names unavailable: {result.organizations_unavailable}")


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_checked_settings()
    report = run_check(connect(settings), settings)
    if args.json:
        print(json.dumps(_check_json(report), indent=2))
    else:
        _print_check(report)
    if report.error:
        return report.error_exit_code
    return AccessDeniedError.exit_code if report.missing else 0


def _check_json(report: CheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "caller": report.caller_arn,
        "account_id": report.account_id,
        "instance": report.instance.__dict__ if report.instance else None,
        "error": report.error,
        "missing": report.missing,
        "not_verified": report.not_verified,
        "actions": [{**r.__dict__, "verified": r.verified} for r in report.results],
    }


def _print_check(report: CheckReport) -> None:
    if report.caller_arn:
        print(f"credentials: ok ({report.caller_arn})")
    if report.error:
        print(f"FAILED: {report.error}")
        return
    if report.instance:
        print(
            f"instance: {report.instance.instance_arn} "
            f"(identity store {report.instance.identity_store_id})"
        )
    for result in report.results:
        print(f"  {result.action:<62} {_check_mark(result)}")
    if report.missing:
        print(f"FAILED: {len(report.missing)} IAM actions missing: {', '.join(report.missing)}")
        print("  add them with the policy from `idc-connector iam-policy`")
        return
    summary = "every required IAM action that could be tested is allowed"
    if report.not_verified:
        summary += (
            f"; {len(report.not_verified)} not verified, each for the reason above: "
            f"{', '.join(report.not_verified)}"
        )
    print(summary)


def _check_mark(result: ActionResult) -> str:
    if result.allowed is None:
        return result.detail  # "not verified: why"
    if result.allowed:
        return "ok"
    return "optional, missing" if result.optional else "MISSING"


def cmd_iam_policy(args: argparse.Namespace) -> int:
    print(json.dumps(iam_policy.build_policy(read_only=args.read_only), indent=2))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    settings = load_checked_settings()
    store = Store.open(settings.database_url)
    syncs = store.syncs(limit=args.limit)
    if args.json:
        print(json.dumps([s.__dict__ for s in syncs], indent=2, default=str))
        return 0
    if not syncs:
        print("no sync has run yet: run `idc-connector sync`")
    for s in syncs:
        took = f"{(s.finished_at - s.started_at).total_seconds():.1f}s" if s.finished_at else "-"
        calls = (s.aws or {}).get("total_calls", "-")
        line = f"sync {s.id:>5}  {s.started_at:%Y-%m-%d %H:%M:%S}  {s.outcome:<9} {took:>8}"
        served = (
            f"  {len(store.served_changes(s.id))} served changed"
            if s.outcome == "succeeded"
            else ""
        )
        print(f"{line}  {calls} calls{served}" + (f"  {s.error}" if s.error else ""))
    with store.reading() as connection:
        read_up_to = feed_state.cursors(connection)
        lagging = feed_lag(connection, settings)
        lease = leases.current(connection, leases.SYNC)
    if lease is not None:
        print(f"sync leader  {_leader_line(lease)}")
    for source, position in read_up_to.items():
        print(f"change feed  {source:<36} read up to {position:%Y-%m-%d %H:%M:%S}")
    if lagging is not None:
        for line in _feed_lines(lagging):
            print(f"change feed  {lagging.health.source:<10}  {line}")
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    """The drift report of the current snapshot; a bad value exits 2 before any read."""
    query = DriftQuery(
        parse_since(args.since, "--since"), parse_unused_days(args.unused_days, "--unused-days")
    )
    output = parse_format(args.format, "--format", "text")
    store = Store.open(load_checked_settings().database_url)
    with store.reading() as connection:
        report = drift_report(connection, query, utcnow())
    print(json.dumps(report_json(report), indent=2) if output == "json" else report_text(report))
    return 0


def _leader_line(lease: leases.Lease) -> str:
    """Which replica leads the syncs (its host and `serve`'s pid), or that none does."""
    if lease.held:
        return (
            f"{lease.holder}  term {lease.term}  since {lease.acquired_at:%Y-%m-%d %H:%M:%S}"
            f"  lease expires in {lease.expires_in():.0f} s"
        )
    return (
        f"none: the lease of {lease.holder} (term {lease.term}) expired {_when(lease.expires_at)}"
    )


def _feed_lines(lagging: FeedLag) -> list[str]:
    """How the feed keeps up: its lag and last batches, whether it is behind (a full
    sync is then scheduled), and since when and why it fails."""
    health, bound = lagging.health, lagging.bound
    shown = "-" if lagging.seconds is None else f"{lagging.seconds:.0f} s"
    lines = [
        f"lag {shown} (bound {bound} s)"
        f"  last good batch {_when(health.polled_at)}"
        f"  newest event applied {_when(health.newest_event_at)}"
    ]
    if lagging.behind:
        lines.append(f"behind by {shown} (bound {bound} s): a full sync is scheduled")
    if health.failing_since is not None:
        lines.append(f"failing since {_when(health.failing_since)}: {health.failure}")
    return lines


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


def cmd_operations(args: argparse.Namespace) -> int:
    store = Store.open(load_checked_settings().database_url)
    with store.reading() as connection:
        total, records = ledger.list_operations(
            connection,
            intent_from_json,
            status=args.status,
            principal_id=args.principal,
            limit=args.limit,
        )
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in records], indent=2, default=str))
        return 0
    if not records:
        print("no write operation is recorded")
    for r in records:
        done = sum(s.status in ("succeeded", "unchanged") for s in r.steps if s.role == "do")
        steps = sum(s.role == "do" for s in r.steps)
        target = " ".join(filter(None, (r.action, r.resource_type, r.resource_id)))
        line = f"{r.created_at:%Y-%m-%d %H:%M:%S}  {r.id}  {r.status:<11} {target}"
        print(
            f"{line}  by {r.token_name}  steps {done}/{steps}" + (f"  {r.error}" if r.error else "")
        )
    if total > len(records):
        print(f"({total - len(records)} older not shown: --limit)")
    return 0


def cmd_change_feed_setup(args: argparse.Namespace) -> int:
    print(setup_text())
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    store = Store.open(load_checked_settings().database_url)
    token = create_token(store, args.name, args.scope)
    print(token)
    print(f"token {args.name!r} ({args.scope}) created; it is shown only now", file=sys.stderr)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    store = Store.open(load_checked_settings().database_url)
    for info in list_tokens(store):
        state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
        print(f"{info.name:<32} {info.scope:<6} created {info.created_at:%Y-%m-%d}  {state}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    revoke_token(Store.open(load_checked_settings().database_url), args.name)
    print(f"token {args.name!r} revoked")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from scim.listener import bind_listener

    settings = load_checked_settings()
    listener = bind_listener(args.host, args.port)  # a port in use stops it here, first
    with one_replica_on_sqlite(settings.database_url):
        Store.open(settings.database_url).close()  # migrate once, before workers start
        with private_metrics_dir():
            from scim.server import serve  # imports prometheus_client: once the folder is set

            return serve(settings, listener=listener, workers=args.workers, sync=not args.no_sync)


def _require_simulator() -> None:
    """The simulator is an optional extra: say how to install it, rather than fail
    with an ImportError deep inside (a production install does not carry moto)."""
    try:
        import faker  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the simulated Identity Center is not installed: "
            "pip install 'identity-center-connector[simulator]' (make demo does it for you)"
        ) from None


def cmd_demo(args: argparse.Namespace) -> int:
    _require_simulator()
    with private_metrics_dir():
        from scim.demo import run_demo  # imports prometheus_client: only once the folder is set

        return run_demo(size=args.size, host=args.host, port=args.port, data_dir=args.data_dir)


def cmd_simulator(args: argparse.Namespace) -> int:
    _require_simulator()
    from connector.simulator.run import run_simulator

    return run_simulator(
        size=args.size,
        host=args.host,
        port=args.port,
        manifest_path=args.manifest,
        assignment_delay=args.assignment_delay,
        latency_ms=args.latency_ms,
        quotas=args.quotas,
        organizations_rps=args.organizations_rps,
        event_delay=args.event_delay,
        console_key=args.console_key,
        call_log_path=args.call_log,
    )


if __name__ == "__main__":
    sys.exit(main())
