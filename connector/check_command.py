"""`idc-connector check`: run connector.check and the store's check, and print what they proved."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from connector.check import ActionResult, CheckReport, run_check
from connector.checked_settings import load_checked_settings
from connector.connection import connect
from connector.errors import AccessDeniedError, StoreError
from connector.store_check import StoreState, check_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `check` command, under the command line's subparsers `sub`."""
    check = sub.add_parser(
        "check", help="test the store, credentials, instance discovery and IAM actions"
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=cmd_check)


# `check` answers an operator waiting at a terminal: a few attempts per call, each
# connection given a few seconds, rather than a sync's patience (IDCC_AWS_MAX_ATTEMPTS,
# IDCC_AWS_CONNECT_TIMEOUT) before an endpoint that does not answer is reported.
CHECK_ATTEMPTS = 3
CHECK_CONNECT_SECONDS = 5.0


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_checked_settings()
    patient = dataclasses.replace(
        settings,
        aws_max_attempts=min(settings.aws_max_attempts, CHECK_ATTEMPTS),
        aws_connect_timeout=min(settings.aws_connect_timeout, CHECK_CONNECT_SECONDS),
    )
    where = settings.aws_endpoint_url or f"AWS in {settings.region}"

    def progress(step: str) -> None:
        print(f"checking {step} at {where}...", file=sys.stderr, flush=True)

    print("checking the store...", file=sys.stderr, flush=True)
    store = check_store(settings.database_url)
    report = run_check(connect(patient), settings, progress)
    if args.json:
        print(json.dumps(_check_json(report, store), indent=2))
    else:
        _print_check(report, store)
    if report.error:
        return report.error_exit_code
    if not store.ok:
        return StoreError.exit_code
    return AccessDeniedError.exit_code if report.missing else 0


def _check_json(report: CheckReport, store: StoreState) -> dict[str, Any]:
    return {
        "ok": report.ok and store.ok,
        "store": store.__dict__,
        "caller": report.caller_arn,
        "account_id": report.account_id,
        "instance": report.instance.__dict__ if report.instance else None,
        "error": report.error,
        "missing": report.missing,
        "not_verified": report.not_verified,
        "actions": [{**r.__dict__, "verified": r.verified} for r in report.results],
    }


def _print_check(report: CheckReport, store: StoreState) -> None:
    print(f"store: {'ok' if store.ok else 'FAILED'}: {store.url}: {store.detail}")
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
