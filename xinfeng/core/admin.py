"""The audit log's admin is registered by ``accounts.admin`` (core imports no domain app, and
scoping the log needs the accounts' roles: ``accounts.audit_scope``)."""
