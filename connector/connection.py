"""Building the AWS seam from settings: credentials mode, then clients."""

from __future__ import annotations

from connector.aws import AwsClients
from connector.config import Settings
from connector.credentials import build_session


def connect(settings: Settings) -> AwsClients:
    """Fresh clients and call counts; each sync uses its own."""
    return AwsClients(build_session(settings), settings)
