"""The activities app's stored texts (notifications): keys with their Chinese source
strings, rendered in the reader's language (see :mod:`xinfeng.notifications.texts`).
Never rename a key that has been sent; add a new one instead."""

from django.utils.translation import gettext_noop as N

from xinfeng.notifications.texts import define

CHANGED = define("activities.changed", N("活动变更：%(t)s"))
CHANGED_BODY = define("activities.changed.body", N("新的时间地点：%(when)s，%(place)s"))
TO_REVIEW = define("activities.to_review", N("待审核活动：%(t)s"))
APPROVED = define("activities.approved", N("活动已审核通过：%(t)s"))
RETURNED = define("activities.returned", N("活动被退回：%(t)s"))
CANCELLED = define("activities.cancelled", N("活动已取消：%(t)s"))
EXPIRED = define("activities.expired", N("活动未获审核已取消：%(t)s"))
AUTO_CHECKOUT = define("activities.auto_checkout", N("已自动签退：%(t)s"))
AUTO_CHECKOUT_BODY = define(
    "activities.auto_checkout.body", N("您未签退，系统已按活动结束时间自动签退，并标注为自动签退。")
)
PROMOTED = define("activities.waitlist_promoted", N("候补成功：%(t)s"))
PROMOTED_BODY = define(
    "activities.waitlist_promoted.body", N("有人取消报名，您已从候补转为正式报名。")
)
REMINDER = define("activities.reminder", N("活动提醒：%(t)s"))
REMINDER_BODY = define("activities.reminder.body", N("%(when)s 开始，地点：%(place)s"))
HOURS_PENDING = define("activities.hours_pending", N("%(n)s 名志愿者的服务时长待您确认：%(t)s"))
