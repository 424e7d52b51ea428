"""The demonstration: a throw-away PKI (pki.py: root CA, one CA per agency role, credentials, CRLs, a
signed trust list, a time-stamping authority) and `edossier demo` (run.py: the main job on the bundled
sample case). Nothing of the product depends on it; tests and the conformance corpus use its PKI."""
