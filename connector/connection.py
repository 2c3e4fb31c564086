"""Building the AWS seam from settings: credentials mode, then clients."""

from __future__ import annotations

from collections.abc import Callable

from connector.aws import AwsClients
from connector.config import Settings
from connector.credentials import build_session


def connect(settings: Settings, *, share: Callable[[], float] = lambda: 1.0) -> AwsClients:
    """Fresh clients and call counts (each sync uses its own), pacing at `share` of
    each quota (`connector.quota_share`)."""
    return AwsClients(build_session(settings), settings, share=share)
