"""Bundled sample case sources; a package only so that they install with edossier."""
