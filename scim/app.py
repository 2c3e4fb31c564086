"""The Flask application factory.

`create_app` builds the app around a store; tests pass their own. Views only
translate HTTP into calls on the connector and back; errors are rendered in
one place (`scim.errors`), tokens checked in one place (`scim.auth`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from connector import quota_share
from connector.config import Settings, load_settings
from connector.connection import connect
from connector.provisioning.provisioner import Provisioner
from connector.store.store import Store
from scim import views
from scim.auth import install_auth
from scim.errors import register_error_handlers
from scim.metrics import install_metrics
from scim.operator_page.view import blueprint as operator_page
from scim.readiness import readiness
from scim.request_body import install_request_body
from scim.request_metrics import install_request_metrics
from scim.request_store import install_request_store
from scim.review_page.view import blueprint as review_page
from scim.views import reports


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    provisioner: Provisioner | None = None,
    replica: str | None = None,
) -> Flask:
    """The app around a store; writes go through `provisioner` (by default one that
    connects to AWS on the first write, so the service starts without AWS).
    `replica` names the replica it serves for (`serve`'s, connector.leadership):
    /ready and /metrics say whether it leads the syncs."""
    settings = settings or load_settings()
    store = store or Store.open(settings.database_url, migrate=False)
    provisioner = provisioner or Provisioner(
        store, settings, lambda: connect(settings, share=quota_share.for_writes(store, settings))
    )
    app = Flask(__name__)
    app.extensions["idcc_provisioner"] = provisioner
    app.config["IDCC_SETTINGS"] = settings
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Werkzeug redirects "/scim/v2//Users" to the merged path with an HTML body
    # and a Location built from the Host header, past every error handler: a
    # path the service does not serve is a 404 like any other.
    app.url_map.merge_slashes = False
    if settings.trusted_proxies:
        _trust_forwarded_headers(app, settings.trusted_proxies)

    install_request_metrics(app)  # first: it times and counts every answer
    register_error_handlers(app)
    install_request_store(app, store)
    install_auth(app)
    install_request_body(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(operator_page)
    app.register_blueprint(review_page)
    app.register_blueprint(reports.blueprint)
    install_metrics(app, store, settings, replica)

    @app.get("/health")
    def health() -> Any:
        """Liveness: the process answers. No token, no store access."""
        return jsonify(status="ok")

    @app.get("/ready")
    def ready() -> Any:
        """Readiness (scim.readiness): a current snapshot, a readable store, a live sync."""
        body, status = readiness(store, settings, replica)
        return jsonify(body), status

    return app


def _trust_forwarded_headers(app: Flask, proxies: int) -> None:
    """Believe the last `proxies` values of each X-Forwarded-* header: the client's
    address (For), and the scheme, host, port and path prefix clients reach the
    service at (Proto, Host, Port, Prefix), which links are then built on
    (`scim.served.base_url`). Only when the operator says how many proxies set
    them (IDCC_TRUSTED_PROXIES): without one in front, any client could send
    them and have links name a host of its choosing. Werkzeug's ProxyFix:
    https://werkzeug.palletsprojects.com/en/stable/middleware/proxy_fix/
    """
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app,
        x_for=proxies,
        x_proto=proxies,
        x_host=proxies,
        x_port=proxies,
        x_prefix=proxies,
    )
