"""The volunteers app's stored texts (notifications): keys with their Chinese source
strings, rendered in the reader's language (see :mod:`xinfeng.notifications.texts`).
Never rename a key that has been sent; add a new one instead."""

from django.utils.translation import gettext_noop as N

from xinfeng.notifications.texts import define

JOIN_REQUEST = define("volunteers.team.join_request", N("%(name)s 申请加入%(team)s"))
JOINED = define("volunteers.team.joined", N("您已加入%(team)s"))
JOIN_REFUSED = define("volunteers.team.join_refused", N("%(team)s 未通过您的入队申请"))
DISPUTE_OPENED = define("volunteers.dispute.opened", N("%(name)s 对服务时长提出申诉：%(what)s"))
DISPUTE_UPHELD = define("volunteers.dispute.upheld", N("您的时长申诉已更正为 %(h)s 小时"))
DISPUTE_REJECTED = define("volunteers.dispute.rejected", N("您的时长申诉已处理：维持原时长"))

# Where a service record came from, as a parameter.
SOURCES = {
    "activity": define("volunteers.source.activity", N("活动")),
    "order": define("volunteers.source.order", N("点单服务")),
    "emergency": define("volunteers.source.emergency", N("应急")),
    "other": define("volunteers.source.other", N("其他")),
}
