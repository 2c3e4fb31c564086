"""Write operations, from request to AWS's final word: ledger first, then AWS, then the store.

A write request becomes an operation of ordered steps (intents, one module per
kind in `connector.writers`). The modules here, in the order a write meets them:

- `submitting`: idempotency, recording the operation before AWS is called,
  and waiting a bounded time for its end (the HTTP side answers 202 after);
- `running`: one operation on a worker thread: its locks, its steps in order,
  and on a failure the undo of the steps already done;
- `steps`: one step: lock, check and apply (the kind's own code), retried
  through throttling and outages, recorded as AWS answers;
- `deletions`: what a deletion must revoke first, found once it holds its locks;
- `resuming`: taking over operations whose runner stopped, and heartbeats;
- `operation_ledger`: the ledger of one operation, written only while held;
- `aws_access`: AWS reached on first use; `provisioner`: the parts put together.
"""
