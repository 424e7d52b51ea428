"""Commands registered on the `edossier` group (imported at the end of cli/main.py)."""

from __future__ import annotations
