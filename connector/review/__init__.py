"""Evidence for certifiers (issue 13): what needs a human now (`drift`).

Pure reads of the store, usable from the CLI and from the HTTP side alike:
nothing here imports Flask.
"""
