"""`idc-connector`: the command line, and the one place that wires every part.

Each command reads settings, calls into the connector, and turns a
`ConnectorError` into one clear message and its exit code (2 for
configuration), never a traceback. `serve` and `demo` import the HTTP side
lazily: this module is the composition root; the rest of `connector` never
imports Flask. The `check`, `review` and `token` commands live in their own modules
(connector.check_command, connector.review_command, connector.token_commands).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from connector import check_command, iam_policy, review_command, token_commands
from connector.checked_settings import load_checked_settings
from connector.errors import ConfigError, ConnectorError
from connector.feed.lag import FeedLag, feed_lag
from connector.feed.setup_template import setup_text
from connector.leadership import process_name
from connector.local_store import local_store
from connector.logs import configure_logging
from connector.metrics_dir import private_metrics_dir
from connector.printed import to_json, when
from connector.review.drift import drift_report
from connector.review.drift_document import report_json, report_text
from connector.review.parameters import (
    FORMATS,
    DriftQuery,
    parse_format,
    parse_since,
    parse_unused_days,
)
from connector.store import feed_state, leases, ledger, sign_in_backfill
from connector.store.replicas import one_replica_on_sqlite
from connector.store.store import Store, utcnow
from connector.sync import SyncResult
from connector.sync_loop import run_syncs
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


_HOST_HELP = "the address to listen on (default 127.0.0.1: this machine only)"
_PORT_HELP = "the TCP port to listen on (default 8080)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="idc-connector",
        description="SCIM 2.0 connector between AWS IAM Identity Center and IGA platforms.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {importlib.metadata.version('identity-center-connector')}",
        help="print the version and exit",
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

    check_command.add_parser(sub)

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
    status.add_argument("--limit", type=int, default=10, help="how many syncs (default 10)")
    status.add_argument("--json", action="store_true", help="print the syncs as JSON")
    status.set_defaults(handler=cmd_status)

    drift = sub.add_parser("drift", help="what needs a human (docs/access-review.md)")
    drift.add_argument("--since", help="out-of-band changes from this time (ISO 8601, UTC)")
    drift.add_argument("--unused-days", metavar="N", help="unused for more than N days (90)")
    drift.add_argument("--format", help="text (the default) or json")
    drift.set_defaults(handler=cmd_drift)
    review_command.add_parser(sub)

    operations = sub.add_parser("operations", help="show the write ledger, newest first")
    operations.add_argument(
        "--status",
        choices=("accepted", "in_progress", "succeeded", "failed"),
        help="only operations in this status",
    )
    operations.add_argument("--principal", help="only operations on this user or group id")
    operations.add_argument(
        "--limit", type=int, default=20, help="how many operations (default 20)"
    )
    operations.add_argument("--json", action="store_true", help="print the operations as JSON")
    operations.set_defaults(handler=cmd_operations)

    token_commands.add_parsers(sub)

    serve = sub.add_parser("serve", help="serve the store over HTTP, syncing periodically")
    serve.add_argument("--host", default="127.0.0.1", help=_HOST_HELP)
    serve.add_argument("--port", type=int, default=8080, help=_PORT_HELP)
    serve.add_argument(
        "--workers", type=int, default=2, help="web worker processes, 4 threads each (default 2)"
    )
    serve.add_argument("--no-sync", action="store_true", help="serve only; sync elsewhere")
    serve.set_defaults(handler=cmd_serve)

    demo = sub.add_parser(
        "demo", help="simulate an Identity Center, sync it and serve it (no AWS account needed)"
    )
    demo.add_argument("--size", default="tiny", help="seed preset: tiny, S, M, L (default tiny)")
    demo.add_argument("--host", default="127.0.0.1", help=_HOST_HELP)
    demo.add_argument("--port", type=int, default=8080, help=_PORT_HELP)
    demo.add_argument(
        "--data-dir",
        default="var/demo",
        help="the folder of the demo's store and seed manifest, one demo at a time "
        "(default var/demo)",
    )
    demo.set_defaults(handler=cmd_demo)

    simulator = sub.add_parser(
        "simulator", help="run the simulated Identity Center alone (tests, benchmarks)"
    )
    simulator.add_argument("--size", default="tiny", help="seed preset (tiny, S, M, L, ...)")
    simulator.add_argument("--host", default="127.0.0.1", help=_HOST_HELP)
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
        print(to_json(result.__dict__))
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


def cmd_iam_policy(args: argparse.Namespace) -> int:
    print(json.dumps(iam_policy.build_policy(read_only=args.read_only), indent=2))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    settings = load_checked_settings(aws=False)
    store = Store.open(settings.database_url, create=False)
    syncs = store.syncs(limit=args.limit)
    if args.json:
        print(to_json([s.__dict__ for s in syncs]))
        return 0
    if not syncs:
        print("no sync has run yet: run `idc-connector sync`")
    for s in syncs:
        took = f"{(s.finished_at - s.started_at).total_seconds():.1f}s" if s.finished_at else "-"
        calls = (s.aws or {}).get("total_calls", "-")
        line = f"sync {s.id:>5}  {when(s.started_at)}  {s.outcome:<9} {took:>8}"
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
        backfill = sign_in_backfill.progress(connection)
    if lease is not None:
        print(f"sync leader  {_leader_line(lease)}")
    for source, position in read_up_to.items():
        print(f"change feed  {source:<36} read up to {when(position)}")
    if lagging is not None:
        for line in _feed_lines(lagging):
            print(f"change feed  {lagging.health.source:<10}  {line}")
    if backfill is not None:
        print(f"last use     {_backfill_line(backfill)}")
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    """The drift report of the current snapshot; a bad value exits 2 before any read."""
    query = DriftQuery(
        parse_since(args.since, "--since"), parse_unused_days(args.unused_days, "--unused-days")
    )
    output = parse_format(args.format, "--format", "text", FORMATS)
    with local_store().reading() as connection:
        report = drift_report(connection, query, utcnow())
    print(to_json(report_json(report)) if output == "json" else report_text(report))
    return 0


def _backfill_line(progress: sign_in_backfill.Progress) -> str:
    """How far the 90-day sign-in back-fill has read (docs/access-review.md#last-use)."""
    read = f"{progress.pages} pages, {progress.events} sign-ins"
    if progress.finished_at is not None:
        return (
            f"back-fill finished {when(progress.finished_at)}  {read}"
            f"  from {progress.window_start:%Y-%m-%d} to {progress.window_end:%Y-%m-%d %H:%M}"
        )
    reached = progress.reached or progress.window_end
    covered = (progress.window_end - reached) / (progress.window_end - progress.window_start)
    return (
        f"back-fill running  read back to {when(reached)} ({covered:.0%} of 90 days)"
        f"  {read}  last page {when(progress.updated_at)}"
    )


def _leader_line(lease: leases.Lease) -> str:
    """Which replica leads the syncs (its host and `serve`'s pid), or that none does."""
    if lease.held:
        return (
            f"{lease.holder}  term {lease.term}  since {when(lease.acquired_at)}"
            f"  lease expires in {lease.expires_in():.0f} s"
        )
    return f"none: the lease of {lease.holder} (term {lease.term}) expired {when(lease.expires_at)}"


def _feed_lines(lagging: FeedLag) -> list[str]:
    """How the feed keeps up: its lag and last batches, whether it is behind (a full
    sync is then scheduled), and since when and why it fails."""
    health, bound = lagging.health, lagging.bound
    shown = "-" if lagging.seconds is None else f"{lagging.seconds:.0f} s"
    lines = [
        f"lag {shown} (bound {bound} s)"
        f"  last good batch {when(health.polled_at)}"
        f"  newest event applied {when(health.newest_event_at)}"
    ]
    if lagging.behind:
        lines.append(f"behind by {shown} (bound {bound} s): a full sync is scheduled")
    if health.failing_since is not None:
        lines.append(f"failing since {when(health.failing_since)}: {health.failure}")
    return lines


def cmd_operations(args: argparse.Namespace) -> int:
    store = local_store()
    with store.reading() as connection:
        total, records = ledger.list_operations(
            connection,
            intent_from_json,
            status=args.status,
            principal_id=args.principal,
            limit=args.limit,
        )
    if args.json:
        print(to_json([dataclasses.asdict(r) for r in records]))
        return 0
    if not records:
        print("no write operation is recorded")
    for r in records:
        done = sum(s.status in ("succeeded", "unchanged") for s in r.steps if s.role == "do")
        steps = sum(s.role == "do" for s in r.steps)
        target = " ".join(filter(None, (r.action, r.resource_type, r.resource_id)))
        line = f"{when(r.created_at)}  {r.id}  {r.status:<11} {target}"
        print(
            f"{line}  by {r.token_name}  steps {done}/{steps}" + (f"  {r.error}" if r.error else "")
        )
    if total > len(records):
        print(f"({total - len(records)} older not shown: --limit)")
    return 0


def cmd_change_feed_setup(args: argparse.Namespace) -> int:
    print(setup_text())
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
