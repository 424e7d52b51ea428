"""The package version, in a leaf of its own: the reports and the builder stamp it, and importing it
must not pull in the public API that edossier/__init__.py hands on."""

__version__ = "0.2.0"
