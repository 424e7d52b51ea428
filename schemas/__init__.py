"""Schemas shipped with edossier (XSD, JSON Schema); a package only so that they install with it."""
