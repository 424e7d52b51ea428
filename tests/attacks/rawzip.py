"""The attack corpus uses the conformance corpus' ZIP writer."""

from edossier.conformance.rawzip import *  # noqa: F401,F403
from edossier.conformance.rawzip import local_header, cd_entry, eocd  # noqa: F401
