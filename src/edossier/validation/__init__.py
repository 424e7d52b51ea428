"""Validating a package: the pipeline of explicit stages (pipeline.py: container, records, coverage,
integrity, signatures, documents, case) and the findings for each document (documents.py: PDF/A,
active content, images, embedded PDF signatures)."""
