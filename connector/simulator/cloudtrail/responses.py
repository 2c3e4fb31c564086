"""CloudTrail wire layer: moto's, plus LookupEvents (which moto 5.2.5 lacks)."""

from __future__ import annotations

import json
from typing import Any

from moto.cloudtrail.responses import CloudTrailResponse

from .models import CorrectedCloudTrailBackend


class CorrectedCloudTrailResponse(CloudTrailResponse):
    @property
    def corrected_backend(self) -> CorrectedCloudTrailBackend:
        backend = self.cloudtrail_backend
        assert isinstance(backend, CorrectedCloudTrailBackend)
        return backend

    def lookup_events(self) -> str:
        params: dict[str, Any] = json.loads(self.body or "{}")
        return json.dumps(self.corrected_backend.lookup_events(params))
