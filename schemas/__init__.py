"""The SCIM contract: published schema definitions and the marshmallow shapes.

- `urns`: the URNs of every schema and API message (RFC 7643 §3, RFC 7644 §3.1).
- `attributes`: what a definition is made of (RFC 7643 §2.2, §6, §7).
- `definitions`: the schemas, resource types and capabilities the service
  publishes, and `find_attribute` for attribute paths (RFC 7644 §3.10).
- `resources`: marshmallow schemas that dump resources and API messages and
  load search requests (RFC 7644 §3.4).

This package imports neither `connector` nor `scim`.
"""
