"""The orders pages, one module per part of the 四单 loop (see each module)."""
