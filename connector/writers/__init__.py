"""Writers: one module per kind of AWS change (assignments, memberships, users,
groups), each an `Intent` that knows its AWS request, check, apply, undo and
store change; `registry` maps the kinds the ledger records to their classes."""
