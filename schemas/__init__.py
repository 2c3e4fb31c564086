"""The SCIM contract: published schema definitions and the marshmallow shapes."""
