"""Every timestamp the service and the command line print has one form: RFC 3339 in
UTC with `Z` (connector.timestamps), in a resource's meta, an operation, /ready, and
the `status` and `operations` commands' JSON alike."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.live import Live, first_user, free_pair, grant_op
from tests.test_cli import run_cli

# An RFC 3339 date-time, with any offset: what each timestamp is checked against.
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_WITH_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def timestamps(document: Any) -> list[str]:
    """Every string in `document` that is a date and time, in whatever form."""
    if isinstance(document, dict):
        return [found for value in document.values() for found in timestamps(value)]
    if isinstance(document, list):
        return [found for value in document for found in timestamps(value)]
    return [document] if isinstance(document, str) and _DATE_TIME.match(document) else []


def assert_one_form(document: Any, at_least: int) -> None:
    found = timestamps(document)
    assert len(found) >= at_least, document
    assert [t for t in found if not _WITH_Z.match(t)] == []


def test_the_service_and_the_cli_print_every_timestamp_in_one_form(
    live: Live, store_url: str
) -> None:
    user = first_user(live)
    granted = live.patch(f"Users/{user}", grant_op(*free_pair(live, "USER", user)))
    assert granted.status_code in (200, 202), granted.get_json()

    operations = live.client.get("/scim/v2/Operations", headers=live.headers()).get_json()
    assert_one_form(operations, at_least=2)  # its creation and its last change at least
    shown = live.client.get(f"/scim/v2/Users/{user}", headers=live.headers()).get_json()
    assert_one_form(shown["meta"], at_least=2)
    assert_one_form(live.client.get("/ready").get_json(), at_least=1)

    env = {"IDCC_DATABASE_URL": store_url}
    for command, at_least in ((["operations", "--json"], 2), (["status", "--json"], 2)):
        printed = run_cli(*command, env=env)
        assert printed.returncode == 0, printed.stderr
        assert_one_form(json.loads(printed.stdout), at_least)
    listed = run_cli("operations", env=env).stdout
    assert_one_form(re.findall(r"\S*\d{4}-\d\d-\d\d\S*", listed), at_least=1)
