"""Governance pages: ``responsibility`` (sites' people, gaps, handovers), ``groups``
(leading groups) and ``departments`` (the guiding departments' view)."""
