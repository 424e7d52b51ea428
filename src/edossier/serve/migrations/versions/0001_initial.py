"""The node's first schema: submissions, reports, receipts, cases and their layers, nonces, audit events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("inbox_key", sa.String(64), nullable=True, unique=True),
        sa.Column("package_sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("case_number", sa.String(128), nullable=True, index=True),
        sa.Column("flag", sa.String(32), nullable=True),
        sa.Column("submitter_name", sa.String(255), nullable=True),
        sa.Column("submitter_code", sa.String(32), nullable=True),
        sa.Column("submitter_cert_sha256", sa.String(64), nullable=True),
        sa.Column("created", TZ, nullable=False),
        sa.Column("finished", TZ, nullable=True),
    )
    op.create_table(
        "reports",
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("json", sa.Text, nullable=False),
        sa.Column("node_findings", sa.Text, nullable=False),
        sa.Column("pickled", sa.LargeBinary, nullable=True),
        sa.Column("edossier_version", sa.String(32), nullable=False),
        sa.Column("created", TZ, nullable=False),
    )
    op.create_table(
        "receipts",
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created", TZ, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(128), nullable=False, unique=True),
    )
    op.create_table(
        "layers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("layer", sa.Integer, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("signature_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("submission_id", "layer"),
    )
    op.create_table(
        "nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("seen", TZ, nullable=False, index=True),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_events", "nonces", "layers", "cases", "receipts", "reports", "submissions"):
        op.drop_table(table)
