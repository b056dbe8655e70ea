"""Why a team is suggested (or was chosen), in one sentence a station operator understands:

    水口村志愿服务队：承接该项目，距离 1.5 公里，本村队伍，近期评价 4.6，平均 40 分钟响应，在办 1/3 单

:func:`explain_facts` records the **facts** behind a dispatch score (does the team deliver
the ordered project, how far, which shared region, its real recent rating and response
time, its load) as JSON kept with the score; :func:`explanation_text` renders them in the
active language whenever someone reads them — so an English reader of a dispatch made by
a Chinese operator (or by auto-dispatch) reads English. The sentence's words are the
texts of :mod:`xinfeng.orders.texts`.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from xinfeng.regions.models import PATH_SEGMENT

from . import texts as T
from .dispatch_score import TeamArrays

# The level of the lowest region a team shares with the order → how the sentence says it.
AREA_OF_LEVEL = {
    "natural_village": "village",
    "village": "village",
    "township": "township",
    "county": "county",
}


def shared_area(order_path: str, team_path: str, levels: dict[str, str]) -> str:
    """The area word ("village", "township", "county" or "outside"): the level of the
    lowest region containing both the order's place and the team (``levels``: region
    path → level)."""
    n = 0
    while (
        n + PATH_SEGMENT <= min(len(order_path), len(team_path))
        and order_path[n : n + PATH_SEGMENT] == team_path[n : n + PATH_SEGMENT]
    ):
        n += PATH_SEGMENT
    return AREA_OF_LEVEL.get(levels.get(order_path[:n], ""), "outside") if n else "outside"


def explain_facts(
    entry: dict,
    *,
    team_name: str,
    order_path: str,
    team_path: str,
    ordered_project: bool,
    ordered_category: bool,
    teams: TeamArrays,
    row: int,
    km_known: bool,
    levels: dict[str, str],
) -> dict:
    """The facts behind one ranked entry (``entry`` from ``rank_teams``/``plan_dispatch``,
    ``row`` the team's row in ``teams``), as JSON-ready values."""
    comps = {c["name"]: c for c in entry.get("components", [])}
    rating_n = float(teams.rating_count[row])
    resp_n = float(teams.response_count[row])
    facts = {
        "team": team_name,
        "delivers": bool(ordered_project) and comps.get("project", {}).get("value") == 0,
        "category": None,
        "km": round(float(entry["distance_km"]), 1) if km_known else None,
        "area": shared_area(order_path, team_path, levels),
        "rating": round(float(teams.rating_sum[row]) / rating_n, 1) if rating_n else None,
        "response_h": round(float(teams.response_hours_sum[row]) / resp_n, 2) if resp_n else None,
        "load": int(teams.load[row]),
        "capacity": int(teams.capacity[row]),
    }
    cat = comps.get("category", {}).get("value")
    if ordered_category and cat is not None:
        facts["category"] = "match" if cat == 0 else ("general" if cat < 1 else "mismatch")
    if entry.get("rank") and entry["rank"] > 1 and "extra_cost" in entry:
        facts["displaced_rank"] = int(entry["rank"])
    return facts


def _t(text: T.Text, **params) -> str:
    return gettext(text.source) % params if params else gettext(text.source)


def explanation_text(facts: dict | None, *, auto: bool = False) -> str:
    """The sentence for ``facts`` in the active language ("" for none)."""
    if not facts:
        return ""
    parts = []
    if facts.get("delivers"):
        parts.append(_t(T.EXPLAIN_DELIVERS))
    if facts.get("category") == "match" and not facts.get("delivers"):
        parts.append(_t(T.EXPLAIN_CATEGORY_MATCH))
    elif facts.get("category") == "mismatch":
        parts.append(_t(T.EXPLAIN_CATEGORY_MISMATCH))
    km = facts.get("km")
    parts.append(_t(T.EXPLAIN_KM, km=km) if km is not None else _t(T.EXPLAIN_KM_UNKNOWN))
    area = T.EXPLAIN_AREA.get(facts.get("area") or "outside", T.EXPLAIN_AREA["outside"])
    parts.append(_t(area))
    rating = facts.get("rating")
    parts.append(_t(T.EXPLAIN_RATING, mean=rating) if rating else _t(T.EXPLAIN_NO_RATING))
    hours = facts.get("response_h")
    if hours is not None and math.isfinite(hours):
        if hours < 1:
            parts.append(_t(T.EXPLAIN_RESPONSE_MIN, n=max(round(hours * 60), 1)))
        else:
            parts.append(_t(T.EXPLAIN_RESPONSE_H, n=hours))
    if facts.get("capacity"):
        parts.append(_t(T.EXPLAIN_LOAD, load=facts.get("load", 0), cap=facts["capacity"]))
    if facts.get("displaced_rank"):
        parts.append(_t(T.EXPLAIN_DISPLACED, rank=facts["displaced_rank"]))
    text = _t(T.EXPLAIN, team=facts.get("team", ""), parts=_t(T.SEPARATOR).join(parts))
    return _t(T.AUTO_DISPATCHED, why=text) if auto else text


def explanation_variants(facts: dict, *, limit: int = 300) -> set[str]:
    """The sentence for ``facts`` in every interface language (cut to ``limit``, as a
    stored reason is): to recognise a suggestion a person sent unchanged."""
    out = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.add(explanation_text(facts)[:limit].strip())
    return out


def score_explanation(score: dict | None) -> str:
    """The sentence for a recorded dispatch score (``Order.dispatch_score`` or the score in
    a dispatch event's detail), in the active language; "" when it has no facts."""
    if not isinstance(score, dict):
        return ""
    return explanation_text(score.get("explain"), auto=score.get("engine") == "auto")
