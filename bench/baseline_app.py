"""The bare baseline of the serving benchmark: Flask + SQLite, one stored JSON document.

No SCIM, no auth, no filter parsing: the least a lookup by userName can cost
on this machine under the same gunicorn settings as the service.
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, Response, request

app = Flask(__name__)
_local = threading.local()


def _database() -> sqlite3.Connection:
    if not hasattr(_local, "connection"):
        _local.connection = sqlite3.connect(os.environ["BASELINE_DB"])
    connection: sqlite3.Connection = _local.connection
    return connection


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/Users")
def user() -> Response:
    row = (
        _database()
        .execute("SELECT doc FROM docs WHERE user_name = ?", (request.args.get("userName", ""),))
        .fetchone()
    )
    return Response(row[0] if row else "{}", mimetype="application/json")
