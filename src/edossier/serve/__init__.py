"""The exchange node (`edossier serve`, issue #18): an agency's inbox and validation service.

Layout (imports point down): `app` (HTTP, FastAPI) → `node` (the service: storage, jobs, history) →
`db` (SQLAlchemy models, Alembic migrations), `blobs` (content-addressed package files), `auth`
(signed requests), and `edo`, the one module that talks to the rest of edossier (validation,
receipts, trust list, credentials). `client` is the sending side (`edossier submit`). Nothing here
imports the CLI. docs/serve.md.
"""
