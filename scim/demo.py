"""`idc-connector demo`: the whole product on one machine, with no AWS account.

It starts the simulated Identity Center (moto, corrected to behave like AWS)
as a separate process, seeds it, syncs it into a fresh SQLite store, creates a
read token, prints how to use it (each example quoted for any shell: zsh
rejects an unquoted `?`) and where its store and simulated AWS are, and serves
the API until Ctrl-C. One demo at a time holds its folder (`demo.lock`) and
its port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from shlex import quote

from connector.config import Settings
from connector.connection import connect
from connector.errors import ConfigError
from connector.file_claim import Held, claimed
from connector.progress import progress_for
from connector.record_keys import entitlement_id
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from schemas import urns
from scim.listener import bind_listener
from scim.rendering import render_snapshot
from scim.server import serve

DEMO_REGION = "us-east-1"


def start_simulator(size: str, manifest: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """The simulator process and its endpoint URL (it prints it once it listens);
    `options` are more `idc-connector simulator` flags."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connector.cli",
            "simulator",
            "--size",
            size,
            "--manifest",
            str(manifest),
            *options,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("http://"):
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line or 'no output'}")
    return process, line


def run_demo(*, size: str, host: str, port: int, data_dir: str) -> int:
    """The demo in `data_dir`, served on `host`:`port`. The folder and the port are
    claimed before anything else: a second demo refuses to start rather than delete
    the running one's store and print tokens for a port it cannot have."""
    directory = Path(data_dir)
    with _claimed(directory):
        listener = bind_listener(host, port)
        # A fresh demo each run: remove only what an earlier demo left here.
        for leftover in directory.glob("demo.sqlite3*"):
            leftover.unlink()
        print(f"starting a simulated IAM Identity Center ({size} organisation)...", flush=True)
        simulator, endpoint = start_simulator(size, directory / "manifest.json")
        owner = os.getpid()
        try:
            return _sync_and_serve(directory, endpoint, listener)
        finally:
            # gunicorn's workers are forks of this process and leave through here too.
            if os.getpid() == owner:
                simulator.terminate()
                simulator.wait(timeout=30)


@contextmanager
def _claimed(directory: Path) -> Iterator[None]:
    """Hold `directory` for this demo (its `demo.lock`, connector.file_claim)."""
    try:
        with claimed(directory / "demo.lock"):
            yield
    except Held as held:
        raise ConfigError(
            f"another demo is running in {directory} (pid {held.holder}): stop it, "
            "or give this one another --data-dir"
        ) from None


def _sync_and_serve(directory: Path, endpoint: str, listener: socket.socket) -> int:
    settings = Settings(
        region=DEMO_REGION,
        credentials_mode="access_key",
        aws_access_key_id="demo",
        aws_secret_access_key="demo",  # the simulator accepts any key
        aws_endpoint_url=endpoint,
        database_url=f"sqlite:///{directory.resolve()}/demo.sqlite3",
    )
    store = Store.open(settings.database_url)
    aws = connect(settings)
    progress = progress_for(aws.stats)
    try:
        result = run_sync(settings, store, aws, progress=progress)
    finally:
        progress.close()
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items())
    print(f"synced in {result.seconds:.1f}s with {result.aws['total_calls']} AWS calls: {counts}")
    render_snapshot(store)
    token = create_token(store, "demo", "read")
    writer = create_token(store, "demo-writer", "write")
    host, port = listener.getsockname()[:2]
    url = f"http://{host}:{port}"
    print(
        f"\nserving on {url}\n"
        f"read token: {token}\n"
        f"write token: {writer}\n"
        f"try:\n  curl -s {quote(url + '/ready')}\n"
        f'  curl -s -H "Authorization: Bearer {token}" {quote(url + "/scim/v2/Users?count=2")}\n'
        + _grant_example(store, url, writer)
        + _inspect_lines(settings, endpoint)
        + "Ctrl-C stops the demo.\n",
        flush=True,
    )
    return serve(settings, listener=listener, workers=2, sync=True)


def _grant_example(store: Store, url: str, token: str) -> str:
    """A curl that grants a seeded user an entitlement it lacks (add X-Dry-Run: true to preview)."""
    snapshot = store.read_snapshot()
    if snapshot is None or not snapshot.users or not snapshot.provisioned_pairs:
        return ""
    user = snapshot.users[0].id
    held = {
        (a.account_id, a.permission_set_arn) for a in snapshot.assignments if a.principal_id == user
    }
    pair = next(
        (p for p in snapshot.provisioned_pairs if (p.account_id, p.permission_set_arn) not in held),
        None,
    )
    if pair is None:
        return ""
    body = json.dumps(
        {
            "schemas": [urns.PATCH_OP],
            "Operations": [
                {
                    "op": "add",
                    "path": "entitlements",
                    "value": [{"value": entitlement_id(pair.account_id, pair.permission_set_arn)}],
                }
            ],
        }
    )
    return (
        f'  curl -s -X PATCH -H "Authorization: Bearer {token}" '
        f"-H 'Content-Type: application/scim+json' -d {quote(body)} "
        f"{quote(f'{url}/scim/v2/Users/{user}')}\n"
        f'  curl -s -H "Authorization: Bearer {token}" '
        f"{quote(url + '/scim/v2/Operations?count=1')}\n"
    )


def _inspect_lines(settings: Settings, endpoint: str) -> str:
    """How to look behind the API: the demo's store (its sync log and write ledger,
    through the store-only commands) and the simulated AWS (any access key is
    accepted), with the AWS CLI or boto3."""
    store = quote(settings.database_url)
    aws = f"AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo aws --region {DEMO_REGION}"
    return (
        f"the demo's store: {settings.database_url}\n"
        f"  IDCC_DATABASE_URL={store} idc-connector status\n"
        f"  IDCC_DATABASE_URL={store} idc-connector operations\n"
        f"the simulated AWS: {endpoint} (region {DEMO_REGION}, any access key)\n"
        f"  {aws} --endpoint-url {quote(endpoint)} sso-admin list-instances\n"
        f"  boto3.client('identitystore', endpoint_url={endpoint!r}, "
        f"region_name={DEMO_REGION!r}, aws_access_key_id='demo', "
        "aws_secret_access_key='demo')\n"
    )
