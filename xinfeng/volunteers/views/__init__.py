"""Volunteers' pages: profiles (the volunteer's own pages), teams, staff, pickers."""
