"""The Flask application factory.

`create_app` builds the app around a store; tests pass their own. Views only
translate HTTP into calls on the connector and back; errors are rendered in
one place (`scim.errors`), tokens checked in one place (`scim.auth`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, jsonify

from connector.config import Settings, load_settings
from connector.connection import connect
from connector.guard_facts import OrganizationFacts
from connector.guardrails import Guardrails
from connector.provisioning import Provisioner
from connector.store.store import Store
from scim.api import build_blueprint
from scim.auth import install_auth
from scim.errors import register_error_handlers
from scim.request_body import install_request_body
from scim.request_store import install_request_store


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    provisioner: Provisioner | None = None,
) -> Flask:
    """The app around a store; writes go through `provisioner` (by default one that
    connects to AWS on the first write, so the service starts without AWS)."""
    settings = settings or load_settings()
    store = store or Store.open(settings.database_url, migrate=False)
    provisioner = provisioner or Provisioner(store, settings, lambda: connect(settings))
    app = Flask(__name__)
    app.extensions["idcc_provisioner"] = provisioner
    app.extensions["idcc_guardrails"] = (
        Guardrails.load(Path(settings.guardrails_file))
        if settings.guardrails_file
        else Guardrails.none()
    )
    app.extensions["idcc_organization_facts"] = OrganizationFacts(provisioner.aws)
    app.config["IDCC_SETTINGS"] = settings
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Werkzeug redirects "/scim/v2//Users" to the merged path with an HTML body
    # and a Location built from the Host header, past every error handler: a
    # path the service does not serve is a 404 like any other.
    app.url_map.merge_slashes = False

    register_error_handlers(app)
    install_request_store(app, store)
    install_auth(app)
    install_request_body(app)
    app.register_blueprint(build_blueprint())

    @app.get("/health")
    def health() -> Any:
        """Liveness: the process answers. No token, no store access."""
        return jsonify(status="ok")

    @app.get("/ready")
    def ready() -> Any:
        """Readiness: a snapshot is being served; says how old and how the last sync ended."""
        last_ok = store.last_succeeded_sync()
        latest = next(iter(store.syncs(limit=1)), None)
        body: dict[str, Any] = {"ready": last_ok is not None}
        if last_ok is not None and last_ok.finished_at is not None:
            finished = last_ok.finished_at
            if finished.tzinfo is None:
                finished = finished.replace(tzinfo=UTC)
            body["snapshot"] = {
                "sync_id": last_ok.id,
                "finished_at": finished.isoformat(),
                "age_seconds": round((datetime.now(UTC) - finished).total_seconds(), 1),
            }
        if latest is not None:
            # No error text here: /ready answers without a token, and an error
            # can name accounts and people. `idc-connector status` shows it.
            body["last_sync"] = {"sync_id": latest.id, "outcome": latest.outcome}
        return jsonify(body), 200 if last_ok is not None else 503

    return app
