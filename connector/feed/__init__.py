"""The change feed: AWS's own change events keep the store current between full syncs.

An event only says what may have changed; the feed re-reads that from AWS and
never takes the event's payload as the new state (events arrive late, out of
order, and sometimes twice). Data flows one way, as in a sync:

- `cloudtrail` / `sqs`: a source hands over a batch of events (`events`);
- `mapping`: each event names the objects it may have changed (targets);
- `assignments`, `memberships`, `users`, `groups`, `permission_sets`,
  `accounts`: one module per kind of target, which re-reads it from AWS and
  applies it to the served snapshot through `connector.store.write_through`,
  with the change record rules of a full sync;
- `runner`: recognises this connector's own writes, coalesces targets,
  applies each in its own transaction, then acknowledges the batch.

docs/change-feed.md has the setup of each source and what each event triggers.
"""
