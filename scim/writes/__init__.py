"""The SCIM write path: requests become intents (RFC 7644 §3.3, §3.5, §3.6)."""
