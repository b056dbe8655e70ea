"""Volunteers' writes, one module per subdomain: profiles (registration, consents, reveal),
teams (teams and memberships), ledger (hours and points), exchange (rewards), certificates
(issue, revoke, PDF), imports and exports, numbers (platform numbering)."""
