"""The private folder where `serve`'s processes write their metrics.

gunicorn's workers and the sync process are separate processes; a scrape of
/metrics lands on one worker, which must report what every one of them
counted. prometheus_client's multiprocess mode does that: each process writes
its values to files in the folder named by PROMETHEUS_MULTIPROC_DIR, and the
worker answering a scrape sums them. The folder must be empty when the service
starts (old files would be summed in) and is the service's alone, so `serve`
creates a fresh one, private to its user, and removes it when it stops.

prometheus_client chooses its mode once, when it is first imported, from that
variable: it must be set before then. `connector.cli` never imports it (nor
anything that does) at module level, and this module refuses to set the
folder once it has been imported, rather than let the workers count in
memory each for itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def private_metrics_dir() -> Iterator[Path]:
    """A fresh folder named by PROMETHEUS_MULTIPROC_DIR for this process and the ones it
    starts; removed afterwards by this process only (gunicorn's workers, forks of it,
    leave through here too)."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(
            "prometheus_client was imported before the metrics folder was set: "
            "each process would count for itself"
        )
    owner = os.getpid()
    folder = tempfile.mkdtemp(prefix="idcc-metrics-")  # mode 0700
    os.environ[VARIABLE] = folder
    try:
        yield Path(folder)
    finally:
        if os.getpid() == owner:
            os.environ.pop(VARIABLE, None)
            shutil.rmtree(folder, ignore_errors=True)
