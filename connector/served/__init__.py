"""The served resource types as the store sees them: what each one's digest covers,
and which stored rows change it.

One module per served type (users, groups, entitlements, permission_sets,
accounts) and one registry. The sync's change record
(`connector.store.resource_digests`) and write-through
(`connector.store.resource_changes`) both use them, so a write records the
digest the next sync computes, for exactly the resources whose digest it
changed. The SCIM side (`scim.resources.*`) names each type's module in its
own description of the type. Nothing here imports HTTP code.
"""
