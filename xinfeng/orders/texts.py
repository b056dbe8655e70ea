"""The order workflow's stored texts (notifications, system reasons on the timeline, the
dispatch explanation): keys with their Chinese source strings, rendered in the reader's
language (see :mod:`xinfeng.notifications.texts`). Never rename a key that has been sent;
add a new one instead (an unknown key falls back to the text stored with the row)."""

from django.utils.translation import gettext_noop as N

from xinfeng.notifications.texts import define

# --- notifications -------------------------------------------------------------------------
SUBMITTED = define("orders.submitted", N("新的点单待审核：%(t)s"))
SUBMITTED_BODY = define("orders.submitted.body", N("%(region)s %(address)s"))
APPROVED = define("orders.approved", N("您的点单已受理：%(t)s"))
APPROVED_BODY = define("orders.approved.body", N("我们正在为您安排志愿服务队。"))
REJECTED = define("orders.rejected", N("您的点单未被受理：%(t)s"))
OPEN = define("orders.open", N("可抢单：%(t)s"))
OPEN_BODY = define("orders.open.body", N("%(region)s，先到先得。"))
DISPATCHED_TEAM = define("orders.dispatched.team", N("新派单：%(t)s"))
DISPATCHED_TEAM_BODY = define(
    "orders.dispatched.team.body", N("请在截止时间前接单或说明理由拒单。")
)
DISPATCHED_REQUESTER = define("orders.dispatched.requester", N("您的点单已派给“%(team)s”"))
ACCEPTED = define("orders.accepted", N("“%(team)s”已接单：%(t)s"))
DECLINED = define("orders.declined", N("“%(team)s”拒单，请重新派单：%(t)s"))
CANCELLED = define("orders.cancelled", N("点单已取消：%(t)s"))
MEMBER_INVITED = define("orders.member.invited", N("队长邀请您参加服务：%(t)s"))
MEMBER_INVITED_BODY = define("orders.member.invited.body", N("请确认是否参加。"))
MEMBER_CONFIRMED = define("orders.member.confirmed", N("%(name)s 确认参加：%(t)s"))
MEMBER_DECLINED = define("orders.member.declined", N("%(name)s 无法参加：%(t)s"))
STARTED = define("orders.started", N("志愿者已开始为您服务：%(t)s"))
COMPLETED = define("orders.completed", N("服务已完成，请您评价：%(t)s"))
RATED = define("orders.rated", N("订单收到评价：%(level)s（%(t)s）"))
LOW_RATING = define("orders.rated.low", N("差评待回访：%(t)s"))
ESCALATED = define("orders.escalated", N("超时上报：%(t)s（%(step)s超时）"))
ESCALATED_BODY = define("orders.escalated.body", N("原责任阵地：%(site)s"))
ESCALATED_AWAY = define("orders.escalated.away", N("订单已上报至%(site)s：%(t)s"))
START_OVERDUE = define("orders.start_overdue", N("请尽快开始服务：%(t)s"))
ACCEPT_TIMEOUT = define("orders.accept_timeout", N("接单超时，请重新派单：%(t)s"))

# --- reasons the system writes on the timeline -----------------------------------------------
GRABBED = define("orders.reason.grab", N("抢单"))
STEP_OVERDUE = define("orders.reason.step_overdue", N("%(step)s超时"))
NOT_ACCEPTED_IN_TIME = define("orders.reason.accept_timeout", N("队伍未在时限内接单"))

# Labels used as parameters (a deadline step, a rating level).
STEPS = {
    "review": define("orders.step.review", N("审单")),
    "dispatch": define("orders.step.dispatch", N("派单")),
    "accept": define("orders.step.accept", N("接单")),
    "start": define("orders.step.start", N("开始服务")),
    "rate": define("orders.step.rate", N("评价")),
}
RATING_LEVELS = {
    5: define("orders.rating.5", N("非常满意")),
    4: define("orders.rating.4", N("满意")),
    3: define("orders.rating.3", N("一般")),
    2: define("orders.rating.2", N("不满意")),
    1: define("orders.rating.1", N("非常不满意")),
}

# --- the dispatch explanation (one sentence a station operator understands) -------------------
AUTO_DISPATCHED = define("orders.dispatch.auto", N("自动派单（总成本最低方案）：%(why)s"))
EXPLAIN = define("orders.dispatch.explain", N("%(team)s：%(parts)s"))
EXPLAIN_DELIVERS = define("orders.dispatch.delivers", N("承接该项目"))
EXPLAIN_CATEGORY_MATCH = define("orders.dispatch.category.match", N("服务类别对口"))
EXPLAIN_CATEGORY_MISMATCH = define("orders.dispatch.category.mismatch", N("服务类别不对口"))
EXPLAIN_KM = define("orders.dispatch.km", N("距离 %(km).1f 公里"))
EXPLAIN_KM_UNKNOWN = define("orders.dispatch.km.unknown", N("距离未知"))
EXPLAIN_AREA = {
    "village": define("orders.dispatch.area.village", N("本村队伍")),
    "township": define("orders.dispatch.area.township", N("本乡镇队伍")),
    "county": define("orders.dispatch.area.county", N("本县（市、区）队伍")),
    "outside": define("orders.dispatch.area.outside", N("外地队伍")),
}
EXPLAIN_RATING = define("orders.dispatch.rating", N("近期评价 %(mean).1f"))
EXPLAIN_NO_RATING = define("orders.dispatch.rating.none", N("暂无评价"))
EXPLAIN_RESPONSE_MIN = define("orders.dispatch.response.min", N("平均 %(n)d 分钟响应"))
EXPLAIN_RESPONSE_H = define("orders.dispatch.response.h", N("平均 %(n).1f 小时响应"))
EXPLAIN_LOAD = define("orders.dispatch.load", N("在办 %(load)d/%(cap)d 单"))
EXPLAIN_DISPLACED = define(
    "orders.dispatch.displaced",
    N("更合适的队伍已满额，本单选第 %(rank)d 名的队伍"),
)
# Separator between the parts of a sentence ("，" in Chinese, ", " in English).
SEPARATOR = define("orders.dispatch.separator", N("，"))
