"""Stored texts of governance (notifications): keys with their Chinese source strings."""

from django.utils.translation import gettext_noop as N

from xinfeng.notifications.texts import define

HANDOVER_TO_YOU = define("governance.handover.to_you", N("请查收工作交接：%(site)s"))
HANDOVER_TO_YOU_BODY = define(
    "governance.handover.to_you.body",
    N("您自 %(on)s 起接任%(post)s，交接时有 %(n)s 项未结事项，请在交接单中查看。"),
)
SITE_GAP = define("governance.site_gap", N("阵地缺岗：%(site)s"))
SITE_GAP_BODY = {
    ("no_responsible",): define(
        "governance.site_gap.no_responsible", N("%(site)s 目前无在任一把手，请尽快明确人员。")
    ),
    ("no_staff",): define(
        "governance.site_gap.no_staff", N("%(site)s 目前无专职人员，请尽快明确人员。")
    ),
    ("no_responsible", "no_staff"): define(
        "governance.site_gap.both", N("%(site)s 目前无在任一把手，也无专职人员，请尽快明确人员。")
    ),
}
