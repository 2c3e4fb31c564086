"""The IAM policy grants exactly the actions of the operations the code calls."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from connector.aws_operations import OPERATIONS, ROLE_MANAGEMENT_ACTIONS
from connector.check import PROBES, UNPROBED
from connector.iam_policy import build_policy, policy_actions

CONNECTOR = Path(__file__).resolve().parent.parent / "connector"
AWS_METHODS = {"call", "items", "pages"}


def operations_named_in_code() -> set[tuple[str, str]]:
    """(service, operation) of every `aws.call/items/pages("svc", "Op", ...)` and every
    `AwsCall("svc", "Op", ...)` (a writer's request, sent by `AwsCall.send`) in connector/."""
    found = set()
    for path in CONNECTOR.rglob("*.py"):
        if "simulator" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and (
                    (isinstance(node.func, ast.Attribute) and node.func.attr in AWS_METHODS)
                    or (isinstance(node.func, ast.Name) and node.func.id == "AwsCall")
                )
                and len(node.args) >= 2
                and all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2]
                )
            ):
                found.add((node.args[0].value, node.args[1].value))  # type: ignore[attr-defined]
    return found


def test_every_declared_operation_is_called_and_every_call_is_declared() -> None:
    assert operations_named_in_code() == set(OPERATIONS)


def test_policy_grants_exactly_the_actions_of_called_operations() -> None:
    used = [OPERATIONS[key] for key in operations_named_in_code()]
    for read_only in (True, False):
        chosen = [
            op for op in used if op.needs_permission and (op.access == "read" or not read_only)
        ]
        expected = {op.iam_action for op in chosen}
        if any(op.needs_role_management for op in chosen):
            expected |= set(ROLE_MANAGEMENT_ACTIONS)
        assert policy_actions(read_only=read_only) == expected


def test_policy_uses_iam_service_prefixes() -> None:
    actions = policy_actions(read_only=True)
    assert "sso:ListAccountAssignments" in actions
    assert "identitystore:ListGroupMemberships" in actions
    assert not any(action.startswith("sso-admin:") for action in actions)
    assert "sts:GetCallerIdentity" not in actions  # needs no permission


def test_every_permission_has_a_check_probe() -> None:
    needing = {op.name for op in OPERATIONS.values() if op.needs_permission}
    assert needing == set(PROBES) | set(UNPROBED)
    assert not set(PROBES) & set(UNPROBED)


def test_cli_prints_the_policy_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "connector.cli", "iam-policy", "--read-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == build_policy(read_only=True)
