"""`idc-connector token ...`: create, list, rotate and revoke API tokens (connector.tokens).

They use only the store (connector.local_store): no region, no AWS call.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from connector.config import parse_duration
from connector.local_store import local_store
from connector.printed import when
from connector.tokens import SCOPES, create_token, list_tokens, revoke_token, rotate_token

_TOKEN_NAME_HELP = (
    "who the token is for (letters, digits and _ . @ -); the name of a revoked token "
    "can be given again"
)


def _expires_in_argument(parser: argparse.ArgumentParser, *, rotating: bool = False) -> None:
    parser.add_argument(
        "--expires-in",
        type=_lifetime,
        default=None,
        metavar="DURATION",
        help=(
            "the new value expires this long after now, e.g. 90d (default: as long as the "
            "old value was given)"
            if rotating
            else "the token expires this long after now, e.g. 90d or 12h (default: never)"
        ),
    )


def _lifetime(text: str) -> timedelta:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be longer than zero")
    return timedelta(seconds=seconds)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `token` command and its actions, under the command line's subparsers `sub`."""
    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser("create", help="create a token and print it once")
    create.add_argument("name", help=_TOKEN_NAME_HELP)
    create.add_argument(
        "--scope",
        choices=SCOPES,
        default="read",
        help="read: SCIM reads; write: reads and writes; metrics: /metrics only (Prometheus)",
    )
    _expires_in_argument(create)
    create.set_defaults(handler=cmd_token_create)
    token_sub.add_parser("list", help="list tokens (never their values)").set_defaults(
        handler=cmd_token_list
    )
    revoke = token_sub.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name", help="the token's name")
    revoke.set_defaults(handler=cmd_token_revoke)
    rotate = token_sub.add_parser(
        "rotate",
        help="give a token a new value and print it once; the old value stops working at once",
    )
    rotate.add_argument("name", help="the token's name")
    _expires_in_argument(rotate, rotating=True)
    rotate.set_defaults(handler=cmd_token_rotate)


def cmd_token_create(args: argparse.Namespace) -> int:
    store = local_store(create=True)
    token = create_token(store, args.name, args.scope, expires_in=args.expires_in)
    print(token)
    print(f"token {args.name!r} ({args.scope}) created; it is shown only now", file=sys.stderr)
    return 0


def cmd_token_rotate(args: argparse.Namespace) -> int:
    token = rotate_token(local_store(), args.name, expires_in=args.expires_in)
    print(token)
    print(
        f"token {args.name!r} rotated: its old value no longer works; this one is shown only now",
        file=sys.stderr,
    )
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    for info in list_tokens(local_store()):
        state = info.state(now)
        since = {"revoked": info.revoked_at, "expired": info.expires_at}.get(state)
        shown = f"{state} {when(since)}" if since is not None else state
        if state == "active" and info.expires_at is not None:
            shown += f", expires {when(info.expires_at)}"
        print(f"{info.name:<32} {info.scope:<7} created {when(info.created_at)}  {shown}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    revoke_token(local_store(), args.name)
    print(f"token {args.name!r} revoked")
    return 0
