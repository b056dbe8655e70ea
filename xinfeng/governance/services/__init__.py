"""Every write of governance: ``responsibility`` (terms, staff, handovers, gap notices)
and ``groups`` (leading groups, members, meetings, decisions)."""
