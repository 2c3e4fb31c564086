"""Imports point one way: scim -> schemas/connector; connector never imports HTTP code.

`connector/cli.py` is the composition root and may import `scim` lazily for
`serve` and `demo`; the simulator serves HTTP through moto's own server.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTP_MODULES = {"flask", "marshmallow", "scim", "werkzeug", "gunicorn"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_connector_core_imports_no_http_code() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & HTTP_MODULES)
        for path in (ROOT / "connector").rglob("*.py")
        if path.name != "cli.py" and "simulator" not in path.parts
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_schemas_import_neither_connector_nor_scim() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & {"connector", "scim"})
        for path in (ROOT / "schemas").rglob("*.py")
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_command_line_leaves_prometheus_client_unimported_until_serve_names_its_folder() -> (
    None
):
    """prometheus_client picks its multiprocess mode at its first import: were the command
    line to import it before `serve` names the metrics folder, each worker would count for
    itself (connector.metrics_dir)."""
    probe = "import sys, connector.cli; print('prometheus_client' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert found.stdout.strip() == "False"
