"""Text no view can use, refused once for every request before any view reads it.

Strings of a request reach PostgreSQL (ids in paths, query parameters, the
values a body names), the request hash (UTF-8) and Python's own recursion, so
each of these would otherwise fail deep inside and answer 500 (issue 9):

- a NUL character (U+0000): PostgreSQL text cannot hold one, and no attribute
  of a user, group or entitlement contains one;
- a lone surrogate (JSON "\\ud800"): not a Unicode scalar value, so no UTF-8
  encoding exists (RFC 8259 §8.2 leaves its meaning unpredictable);
- JSON nested deeper than MAX_JSON_DEPTH: parsing and copying it recurse
  once for each level. The deepest SCIM message this service takes (a PATCH
  of an enterprise User's manager) is seven levels deep.

Each is a 400 (RFC 7644 §3.12) naming where the text is: `invalidFilter` for
a filter (the query parameter or a SearchRequest's member), `invalidSyntax`
for nesting and header values, `invalidValue` for anything else. A path id is
refused like any other value rather than looked up and not found: it cannot
name anything, and the answer should not depend on which endpoint it reached.
"""

from __future__ import annotations

from typing import Any, Final

from flask import Blueprint, request

from scim.errors import ScimError

MAX_JSON_DEPTH: Final = 32


def install_input_checks(api: Blueprint) -> None:
    @api.before_request
    def check_input() -> None:
        for name, value in (request.view_args or {}).items():
            if isinstance(value, str):
                _check_text(value, f"the path's {name}", "invalidValue")
        for key, value in request.args.items(multi=True):
            kind = "invalidFilter" if key.lower() == "filter" else "invalidValue"
            _check_text(key, f"the query parameter name {key!r}", "invalidValue")
            _check_text(value, f"the query parameter {key!r}", kind)
        for key, value in request.headers.items():
            _check_text(value, f"the header {key}", "invalidSyntax")
        if request.method in ("POST", "PUT", "PATCH"):
            _check_body()


def _check_body() -> None:
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise _nested() from None
    pending: list[tuple[Any, str, int]] = [(body, "the body", 0)]
    while pending:
        value, where, depth = pending.pop()
        if isinstance(value, str):
            kind = "invalidFilter" if depth == 1 and where.lower() == "filter" else "invalidValue"
            _check_text(value, where, kind)
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _nested()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key, f"a member name in {where}", "invalidValue")
                pending.append((item, _member(where, key, depth), depth + 1))


def _member(where: str, key: str | int, depth: int) -> str:
    """`Operations[0].value`: where a value sits, for the detail."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return key if depth == 0 else f"{where}.{key}"


def _nested() -> ScimError:
    return ScimError(
        400,
        f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels",
        scim_type="invalidSyntax",
    )


def _check_text(text: str, where: str, scim_type: str) -> None:
    if "\x00" in text:
        raise ScimError(
            400,
            f"{where} holds a NUL character (U+0000), which no value may hold",
            scim_type=scim_type,
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ScimError(
            400,
            f"{where} holds a lone surrogate (such as \\ud800), which is not a character",
            scim_type=scim_type,
        ) from None
