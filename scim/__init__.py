"""The HTTP side: the Flask app that serves the store over SCIM 2.0."""
