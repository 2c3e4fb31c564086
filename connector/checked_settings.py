"""Settings checked whole, before a command starts anything.

`load_settings` checks each value and how they fit together; a setting that
names a file is only as good as that file, so the files are read here too
(the guardrails policy, which each web worker reads again when it starts).
Every command reads its settings through `load_checked_settings`: a mistake is
one message and exit 2 before a port is bound, a store opened, AWS called or
a sync process started, never a worker that fails to boot after all that.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from connector.config import Settings, load_settings
from connector.guardrails import Guardrails


def load_checked_settings(
    environ: Mapping[str, str] | None = None, *, aws: bool = True
) -> Settings:
    """The settings, once every file they name has been read and understood (ConfigError);
    `aws=False` for a command that only uses the store (`load_settings`)."""
    settings = load_settings(environ, aws=aws)
    if settings.guardrails_file:
        Guardrails.load(Path(settings.guardrails_file))
    return settings
