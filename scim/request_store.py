"""One store transaction per request, shared by authentication and the view.

Every read of a request (the token, the current snapshot, its rows) sees the
same consistent state of the store, and a request pays for one connection and
one transaction instead of one per step.

The transaction ends before the answer leaves (after_request), not in
teardown: its COMMIT can still fail (a PostgreSQL connection dropped, a SQLite
file gone bad), and only before the answer is sent can that failure become a
SCIM error instead of the WSGI server's HTML 500 in place of a built 200.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

import sqlalchemy as sa
from flask import Flask, Response, current_app, g

from connector.store.store import Store
from scim.errors import response_for

log = logging.getLogger(__name__)


def install_request_store(app: Flask, store: Store) -> None:
    app.extensions["idcc_store"] = store

    @app.after_request
    def end_transaction(response: Response) -> Response:
        try:
            release_request_connection()
        except Exception as exc:
            return response_for(exc)
        return response

    @app.teardown_request
    def close_connection(_error: BaseException | None) -> None:
        # Only when after_request did not run (an error in another hook): the
        # answer is gone, so a failure here can only be logged.
        try:
            release_request_connection()
        except Exception:
            log.warning("closing the request's store transaction failed", exc_info=True)


def request_connection() -> sa.Connection:
    """The request's reading connection, opened on first use."""
    connection: sa.Connection | None = g.get("idcc_connection")
    if connection is None:
        store: Store = current_app.extensions["idcc_store"]
        stack = ExitStack()
        connection = stack.enter_context(store.reading())
        g.idcc_store_stack = stack
        g.idcc_connection = connection
    return connection


def release_request_connection() -> None:
    """End the request's transaction (a write ends it early, before it waits for AWS).

    A write may wait seconds for AWS; holding a pooled connection and an open
    transaction meanwhile would starve other requests and, on PostgreSQL, keep
    a snapshot older than the write it answers.
    """
    stack: ExitStack | None = g.pop("idcc_store_stack", None)
    g.pop("idcc_connection", None)
    if stack is not None:
        stack.close()
