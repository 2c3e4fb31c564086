"""The AWS side of identity-center-connector: configuration, credentials, readers,
sync and store. Nothing here imports Flask or marshmallow, so the CLI and the
tests use it without HTTP."""
