"""The dashboard figures governance adds to the insights rollup (a hook: insights is a
lower app and never imports governance): per region, the centers, institutes and stations
without a responsible person in office and those without staff."""

from . import selectors


def gap_source(window):
    for region_id, no_responsible, no_staff in selectors.gap_counts_by_region():
        if no_responsible:
            yield ("s", region_id, "sites_without_responsible", no_responsible)
        if no_staff:
            yield ("s", region_id, "sites_without_staff", no_staff)
