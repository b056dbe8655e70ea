"""Writes of needs: (re)cluster a text question's answers, merge / split / rename clusters,
mark a cluster as a need, declare a project from a need or link activities, edit stop words.

Every write needs ``policy.may_manage_survey`` on the cluster's survey (staff of the owning
region or above). A cluster's ``count``, ``village_count`` and ``examples`` are recomputed
whenever its members change, and so are the counts of the need made of it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.projects import services as project_services
from xinfeng.volunteers.choices import ServiceCategory

from .. import policy, policy_needs
from ..choices import TEXT_TYPES
from ..clustering import cluster_texts, effective_stop_words
from ..models import Answer, Cluster, ClusterMember, Need, NeedStatus, Question, StopWord, Survey

EXAMPLES = 3
MAX_LABEL = 120

# A need's words → the service category a project for it most likely has (pre-fill only;
# staff change it on the form).
CATEGORY_HINTS = [
    (
        ("老人", "老年", "助餐", "送餐", "独居", "空巢", "孤寡", "失能", "照料", "照护"),
        ServiceCategory.ELDERLY,
    ),
    (
        ("儿童", "孩子", "托管", "作业", "课后", "小学生", "留守", "暑假", "暑期"),
        ServiceCategory.CHILDREN,
    ),
    (
        ("义诊", "体检", "健康", "慢病", "慢性病", "血压", "血糖", "心理", "医生"),
        ServiceCategory.HEALTH,
    ),
    (("法律", "律师", "诈骗", "反诈", "调解", "纠纷"), ServiceCategory.LAW),
    (("广场舞", "电影", "戏曲", "演出", "图书", "读书", "书屋", "文艺"), ServiceCategory.CULTURE),
    (("培训", "技术", "电商", "直播", "技能", "就业", "种植", "养殖"), ServiceCategory.SCIENCE),
    (("垃圾", "环境", "环保", "卫生"), ServiceCategory.ENVIRONMENT),
]


def category_hint(text: str) -> str:
    for words, category in CATEGORY_HINTS:
        if any(w in text for w in words):
            return category
    return ServiceCategory.EVERYDAY_HELP


def stop_words() -> frozenset[str]:
    """The effective stop-word list: the default file with staff edits applied."""
    rows = list(StopWord.objects.values_list("word", "enabled"))
    return effective_stop_words(
        added=[w for w, on in rows if on], removed=[w for w, on in rows if not on]
    )


def refresh_cluster(cluster: Cluster) -> Cluster:
    """Recompute a cluster's counts and examples from its members (and its need's)."""
    members = Answer.objects.filter(cluster_member__cluster=cluster)
    cluster.count = members.count()
    cluster.village_count = members.exclude(village_id=None).values("village_id").distinct().count()
    texts = list(members.order_by("id").values_list("text", flat=True)[:200])
    seen: list[str] = []
    for t in texts:
        t = t.strip()
        if t and t not in seen:
            seen.append(t)
        if len(seen) >= EXAMPLES:
            break
    cluster.examples = seen
    cluster.save(update_fields=["count", "village_count", "examples", "updated_at"])
    need = Need.objects.filter(cluster=cluster).first()
    if need is not None:
        need.people, need.villages = cluster.count, cluster.village_count
        need.save(update_fields=["people", "villages"])
    return cluster


def _require(actor, survey: Survey) -> None:
    policy.require_may_manage(actor, survey)


def text_question(survey: Survey, name: str) -> list[int]:
    ids = list(
        Question.objects.filter(
            version__survey=survey, name=name, qtype__in=TEXT_TYPES
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationFailed(_("这份问卷没有这道文字题。"), code="no_text_question")
    return ids


@transaction.atomic
def clusters_rebuild(*, actor, survey: Survey, question_name: str) -> list[Cluster]:
    """Cluster the text answers of one question afresh. Clusters staff edited or marked as a
    need are kept with their answers; the rest are replaced."""
    _require(actor, survey)
    return _rebuild(survey, question_name)


def _rebuild(survey: Survey, question_name: str) -> list[Cluster]:
    qids = text_question(survey, question_name)
    existing = Cluster.objects.filter(survey=survey, question_name=question_name)
    keep = existing.filter(edited=True) | existing.filter(need__isnull=False)
    keep_ids = list(keep.values_list("pk", flat=True))
    existing.exclude(pk__in=keep_ids).delete()
    rows = list(
        Answer.objects.filter(question_id__in=qids)
        .exclude(text="")
        .exclude(cluster_member__isnull=False)
        .order_by("id")
        .values_list("pk", "text", "village_id")
    )
    result = cluster_texts([t for _, t, _ in rows], stop_words=stop_words())
    clusters = Cluster.objects.bulk_create(
        [
            Cluster(
                survey=survey,
                question_name=question_name,
                label=(c.label or _("其他"))[:MAX_LABEL],
                terms=c.terms,
                count=c.count,
                village_count=len({rows[i][2] for i in c.members if rows[i][2]}),
                examples=[rows[i][1].strip() for i in c.examples],
            )
            for c in result.clusters
        ]
    )
    ClusterMember.objects.bulk_create(
        [
            ClusterMember(cluster=cl, answer_id=rows[i][0])
            for cl, c in zip(clusters, result.clusters, strict=True)
            for i in c.members
        ],
        batch_size=2000,
    )
    return clusters


@transaction.atomic
def cluster_rename(*, actor, cluster: Cluster, label: str) -> Cluster:
    _require(actor, cluster.survey)
    label = (label or "").strip()
    if not label:
        raise ValidationFailed(
            _("请填写名称。"), code="required", fields={"label": _("请填写名称。")}
        )
    cluster.label = label[:MAX_LABEL]
    cluster.edited = True
    full_clean_or_raise(cluster)
    cluster.save(update_fields=["label", "edited", "updated_at"])
    return cluster


@transaction.atomic
def clusters_merge(*, actor, clusters: list[Cluster]) -> Cluster:
    """Join clusters of one question into the largest; a need on any of them stays (two
    needs cannot be merged: one of them must be closed first)."""
    if len(clusters) < 2:
        raise ValidationFailed(_("请至少选择两个类合并。"), code="too_few")
    survey = clusters[0].survey
    if any(
        c.survey_id != survey.pk or c.question_name != clusters[0].question_name for c in clusters
    ):
        raise ValidationFailed(_("只能合并同一道题的类。"), code="different_questions")
    _require(actor, survey)
    needs = list(Need.objects.filter(cluster__in=clusters))
    if len(needs) > 1:
        raise Conflict(_("所选的类中有多个已标为需求，不能合并。"), code="several_needs")
    target = sorted(clusters, key=lambda c: (-c.count, c.pk))[0]
    if needs:
        target = next(c for c in clusters if c.pk == needs[0].cluster_id)
    others = [c for c in clusters if c.pk != target.pk]
    ClusterMember.objects.filter(cluster__in=others).update(cluster=target)
    Cluster.objects.filter(pk__in=[c.pk for c in others]).delete()
    target.edited = True
    target.save(update_fields=["edited"])
    return refresh_cluster(target)


@transaction.atomic
def cluster_split(*, actor, cluster: Cluster, answer_ids: list[int], label: str = "") -> Cluster:
    """Move the chosen answers of ``cluster`` into a new cluster (returned)."""
    _require(actor, cluster.survey)
    moving = ClusterMember.objects.filter(cluster=cluster, answer_id__in=answer_ids)
    n = moving.count()
    if n == 0:
        raise ValidationFailed(_("请勾选要拆出的回答。"), code="nothing_chosen")
    if n == cluster.count:
        raise ValidationFailed(_("不能把全部回答都拆出去。"), code="all_chosen")
    new = Cluster.objects.create(
        survey=cluster.survey,
        question_name=cluster.question_name,
        label=(label.strip() or _("%(label)s（拆分）") % {"label": cluster.label})[:MAX_LABEL],
        edited=True,
    )
    moving.update(cluster=new)
    cluster.edited = True
    cluster.save(update_fields=["edited"])
    refresh_cluster(cluster)
    return refresh_cluster(new)


@transaction.atomic
def cluster_mark_need(*, actor, cluster: Cluster, title: str = "", category: str = "") -> Need:
    """Make a need of a cluster (one need per cluster)."""
    survey = cluster.survey
    _require(actor, survey)
    if Need.objects.filter(cluster=cluster).exists():
        raise Conflict(_("这个类已经标为需求。"), code="already_need")
    title = (title or cluster.label).strip()[:120]
    need = Need(
        survey=survey,
        region_id=survey.region_id,
        cluster=cluster,
        title=title,
        category=category or category_hint(title + " " + " ".join(cluster.examples)),
        people=cluster.count,
        villages=cluster.village_count,
        created_by=actor,
    )
    full_clean_or_raise(need)
    need.save()
    cluster.edited = True
    cluster.save(update_fields=["edited"])
    return need


def project_prefill(need: Need) -> dict:
    """What a project declared from ``need`` starts with."""
    examples = need.cluster.examples if need.cluster_id else []
    lines = [
        _("来自三问调查“%(survey)s”：%(people)d 位群众、%(villages)d 个村提出。")
        % {"survey": need.survey.title, "people": need.people, "villages": need.villages}
    ]
    if examples:
        lines.append(_("群众原话：") + "；".join(f"“{e}”" for e in examples))
    return {
        "name": need.title[:120],
        "category": need.category or category_hint(need.title),
        "summary": (_("回应群众需求：%(need)s") % {"need": need.title})[:200],
        "description": "\n".join(lines),
    }


@transaction.atomic
def need_declare_project(*, actor, need: Need, site=None, **overrides):
    """Declare a service project for ``need`` through the project flow
    (``projects.services.project_declare``: its rules, its approval) and link it."""
    _require(actor, need.survey)
    if need.status == NeedStatus.CLOSED:
        raise Conflict(_("需求已关闭。"), code="need_closed")
    fields = project_prefill(need)
    fields.update({k: v for k, v in overrides.items() if v})
    project = project_services.project_declare(actor=actor, site=site or need.survey.site, **fields)
    need.projects.add(project)
    if need.status == NeedStatus.OPEN:
        need.status = NeedStatus.ANSWERED
        need.save(update_fields=["status"])
    return project


@transaction.atomic
def need_link(*, actor, need: Need, projects=(), activities=()) -> Need:
    """Link existing projects and/or activities (an activity series) that answer ``need``."""
    _require(actor, need.survey)
    if projects:
        need.projects.add(*projects)
    if activities:
        need.activities.add(*activities)
    if (projects or activities) and need.status == NeedStatus.OPEN:
        need.status = NeedStatus.ANSWERED
        need.save(update_fields=["status"])
    return need


@transaction.atomic
def need_set_status(*, actor, need: Need, status: str) -> Need:
    _require(actor, need.survey)
    if status not in NeedStatus.values:
        raise ValidationFailed(_("未知的状态。"), code="bad_status")
    need.status = status
    need.save(update_fields=["status"])
    return need


def _clean_word(word: str) -> str:
    word = (word or "").strip().lower()
    if not word or len(word) > 32 or any(c.isspace() for c in word):
        raise ValidationFailed(
            _("停用词须为 1–32 个字符且不含空格。"),
            code="bad_word",
            fields={"word": _("停用词须为 1–32 个字符且不含空格。")},
        )
    return word


@transaction.atomic
def stopword_set(*, actor, word: str, enabled: bool) -> StopWord:
    """Add a stop word (``enabled``) or switch one off. Staff anywhere may edit the list
    (it only changes how answers are grouped, never what anyone sees of them)."""
    policy_needs.require_may_edit_stop_words(actor)
    word = _clean_word(word)
    row, _created = StopWord.objects.update_or_create(
        word=word, defaults={"enabled": enabled, "created_by": actor}
    )
    return row


@transaction.atomic
def stopword_reset(*, actor, word: str) -> None:
    """Drop a staff edit: the word is back to what the default list says."""
    policy_needs.require_may_edit_stop_words(actor)
    StopWord.objects.filter(word=_clean_word(word)).delete()


def cluster_villages(cluster: Cluster, limit: int = 10) -> list[tuple[str, int]]:
    """(village name, answers) of a cluster, most first."""
    rows = (
        Answer.objects.filter(cluster_member__cluster=cluster)
        .exclude(village_id=None)
        .values_list("village__name")
        .annotate(n=Count("id"))
        .order_by("-n", "village__name")[:limit]
    )
    return list(rows)
