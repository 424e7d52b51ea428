"""Many packages at once: the batch (many.py: validate_many, run_many), where the work runs
(executors.py: local processes or a Dask cluster, crash-tolerant) and where packages are (storage.py:
paths or fsspec URLs)."""
