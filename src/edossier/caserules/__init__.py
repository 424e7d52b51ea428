"""Case rules: document-type code list, stage profiles, identity checks, deadlines, audit trail."""
