"""What every benchmark's results file starts with, and how a finished run is published."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def header(module: str, argv: list[str] | None, started: float) -> dict[str, Any]:
    """The command that reproduces the run, when it finished and how long it took
    (`started`: time.monotonic() at its start)."""
    return {
        "command": shlex.join(
            [".venv/bin/python", "-m", module, *(sys.argv[1:] if argv is None else argv)]
        ),
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "total_seconds": round(time.monotonic() - started, 1),
    }


def publish(
    results: dict[str, Any],
    out: Path,
    write: Callable[[dict[str, Any], Path], tuple[Path, Path]],
    markdown: Callable[[dict[str, Any]], str],
) -> None:
    """Write the JSON and markdown files, print the markdown, say where they went."""
    json_path, md_path = write(results, out)
    print(markdown(results))
    print(f"[bench] {results['total_seconds']}s; wrote {json_path} and {md_path}", file=sys.stderr)
