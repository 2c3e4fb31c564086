"""One store transaction per request, shared by authentication and the view.

Every read of a request (the token, the current snapshot, its rows) sees the
same consistent state of the store, and a request pays for one connection and
one transaction instead of one per step.
"""

from __future__ import annotations

from contextlib import ExitStack

import sqlalchemy as sa
from flask import Flask, current_app, g

from connector.store.store import Store


def install_request_store(app: Flask, store: Store) -> None:
    app.extensions["idcc_store"] = store

    @app.teardown_request
    def close_connection(_error: BaseException | None) -> None:
        stack: ExitStack | None = g.pop("idcc_store_stack", None)
        if stack is not None:
            stack.close()


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
    """End the request's transaction early (a write, before it waits for AWS).

    A write may wait seconds for AWS; holding a pooled connection and an open
    transaction meanwhile would starve other requests and, on PostgreSQL, keep
    a snapshot older than the write it answers.
    """
    stack: ExitStack | None = g.pop("idcc_store_stack", None)
    g.pop("idcc_connection", None)
    if stack is not None:
        stack.close()
