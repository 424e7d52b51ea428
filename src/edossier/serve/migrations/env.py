"""Alembic environment of the node's database: run online only, on the connection `db.migrate` passes."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the node always passes its connection
    raise RuntimeError("edossier.serve migrations run through edossier.serve.db.migrate(engine)")
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
