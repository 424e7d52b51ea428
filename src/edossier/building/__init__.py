"""Building packages: the build source (`dossier.toml`, source.py), the build pipeline (pipeline.py:
build_package, append_layer, lint_source) and its preflight (preflight.py), which validates the new layer
exactly as `validate` would before anything is signed."""
