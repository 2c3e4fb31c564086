"""moto's CloudTrail backend, extended with the account and region's event history.

moto 5.2.5 models trails (CreateTrail, StartLogging, selectors, tags) but keeps
no events. The extended backend holds an ``EventHistory`` (history.py), fed by
the recording layer (recording.py) and read by LookupEvents (lookup.py). Living
in the backend, the history is per account and region, as CloudTrail's Event
history is, and is reset with the rest of moto's state.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from moto.cloudtrail.models import CloudTrailBackend

from ..behaviour import behaviour
from .history import EventHistory
from .lookup import lookup_events, parse_query


class CorrectedCloudTrailBackend(CloudTrailBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.history = EventHistory()

    def _adopt_moto_state(self) -> None:
        """A backend made by plain moto keeps its trails and starts an empty history."""
        self.history = EventHistory()

    @property
    def _url_module(self) -> ModuleType:
        """Route requests to the response class that serves LookupEvents."""
        from . import urls

        return urls

    def lookup_events(self, params: dict[str, Any]) -> dict[str, Any]:
        """LookupEvents' response body for the request body ``params``."""
        query = parse_query(params)
        settings = behaviour()
        return lookup_events(self.history.arrived(settings.now(), settings.wall_time()), query)
