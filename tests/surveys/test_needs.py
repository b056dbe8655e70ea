"""Clusters and needs (PART 2): clustering a survey's text answers into stored clusters,
merge / split / rename, marking a need, declaring a project from it through the project
flow (and seeing "来自三问" on the project page), activities answering a need, the stop-word
list, 问效 sending and the review flag, and scope from three sides."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.activities.models import Activity, Attendance
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.notifications.models import Notification
from xinfeng.projects.choices import ProjectStatus
from xinfeng.surveys.choices import SurveyKind, SurveyStatus
from xinfeng.surveys.models import (
    Cluster,
    ClusterMember,
    Need,
    NeedStatus,
    ProjectEvaluation,
    StopWord,
    Survey,
)
from xinfeng.surveys.services import evaluation as ev
from xinfeng.surveys.services import needs as svc

from ..factories import ProjectFactory, UserFactory, grant
from .needs_helpers import fill, make_survey, villages_of


@pytest.fixture
def clustered(tree, owner):
    villages = [tree.v1, *villages_of(tree.t1, 2)]
    survey = make_survey(tree.inst1)
    drawn = fill(survey, villages, 90, seed=5)
    clusters = svc.clusters_rebuild(actor=owner, survey=survey, question_name="wish")
    return survey, drawn, clusters


def _cluster_with(survey, text):
    return Cluster.objects.filter(survey=survey, members__answer__text=text).distinct().get()


def test_rebuild_stores_one_cluster_per_theme_with_counts_and_villages(clustered):
    survey, drawn, clusters = clustered
    themes = Counter(r["theme"] for r in drawn)
    assert sorted(c.count for c in clusters) == sorted(themes.values())
    for c in Cluster.objects.filter(survey=survey):
        answers = list(
            ClusterMember.objects.filter(cluster=c).values_list("answer__text", flat=True)
        )
        theme = {r["theme"] for r in drawn if r["wish"] in answers}
        assert len(theme) == 1
        villages = {r["village"].pk for r in drawn if r["theme"] in theme}
        assert c.village_count == len(villages)
        assert c.examples and all(e in answers for e in c.examples)


def test_rename_merge_and_split(clustered, owner):
    survey, drawn, _clusters = clustered
    meals = _cluster_with(survey, "希望给老人送餐")
    law = _cluster_with(survey, "免费法律咨询")
    svc.cluster_rename(actor=owner, cluster=meals, label="老人助餐")
    meals.refresh_from_db()
    assert meals.label == "老人助餐" and meals.edited
    merged = svc.clusters_merge(actor=owner, clusters=[meals, law])
    expected = sum(1 for r in drawn if r["theme"] in ("elderly", "law"))
    assert merged.count == expected
    assert Cluster.objects.filter(pk__in=[meals.pk, law.pk]).count() == 1
    law_answers = list(
        ClusterMember.objects.filter(cluster=merged, answer__text__contains="法律").values_list(
            "answer_id", flat=True
        )
    )
    new = svc.cluster_split(actor=owner, cluster=merged, answer_ids=law_answers, label="法律咨询")
    merged.refresh_from_db()
    assert new.count == len(law_answers) == sum(1 for r in drawn if r["theme"] == "law")
    assert merged.count == expected - new.count
    with pytest.raises(ValidationFailed):
        svc.cluster_split(actor=owner, cluster=new, answer_ids=[])
    # a rebuild keeps edited clusters and their answers
    svc.clusters_rebuild(actor=owner, survey=survey, question_name="wish")
    assert Cluster.objects.filter(pk__in=[merged.pk, new.pk]).count() == 2
    assert ClusterMember.objects.filter(cluster__survey=survey).count() == len(drawn)


def test_stop_words_are_editable_and_used(clustered, owner, resident):
    svc.stopword_set(actor=owner, word="送餐", enabled=True)
    assert "送餐" in svc.stop_words()
    svc.stopword_set(actor=owner, word="服务", enabled=False)
    assert "服务" not in svc.stop_words()
    svc.stopword_reset(actor=owner, word="服务")
    assert "服务" in svc.stop_words()
    assert StopWord.objects.filter(word="送餐", enabled=True).exists()
    with pytest.raises(PermissionDenied):
        svc.stopword_set(actor=resident, word="广场舞", enabled=True)
    with pytest.raises(ValidationFailed):
        svc.stopword_set(actor=owner, word="两 个", enabled=True)


def test_outsider_cannot_edit_clusters(clustered, outsider):
    survey, _drawn, clusters = clustered
    with pytest.raises(PermissionDenied):
        svc.cluster_rename(actor=outsider, cluster=clusters[0], label="x")
    with pytest.raises(PermissionDenied):
        svc.clusters_rebuild(actor=outsider, survey=survey, question_name="wish")


def test_need_to_project_and_the_link_on_the_project_page(client, clustered, owner, tree):
    survey, drawn, _clusters = clustered
    law = _cluster_with(survey, "免费法律咨询")
    need = svc.cluster_mark_need(actor=owner, cluster=law, title="法律咨询进村")
    assert need.category == "law"
    people = sum(1 for r in drawn if r["theme"] == "law")
    villages = len({r["village"].pk for r in drawn if r["theme"] == "law"})
    assert (need.people, need.villages) == (people, villages)
    with pytest.raises(Conflict):
        svc.cluster_mark_need(actor=owner, cluster=law)
    client.force_login(owner)
    page = client.get(f"/surveys/needs/{need.pk}/")
    assert page.status_code == 200 and "法律咨询进村" in page.content.decode()
    resp = client.post(
        f"/surveys/needs/{need.pk}/",
        {"action": "declare", "name": "法律咨询进村", "category": "law", "summary": "律师每月进村"},
    )
    assert resp.status_code == 302
    need.refresh_from_db()
    project = need.projects.get()
    assert resp["Location"] == f"/projects/{project.pk}/"
    assert project.status == ProjectStatus.DECLARED and project.site == tree.inst1
    assert "群众原话" in project.description
    assert need.status == NeedStatus.ANSWERED
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f"来自三问：{people} 位群众、{villages} 个村提出" in html
    assert f'href="/surveys/needs/{need.pk}/"' in html


def test_declare_from_a_need_keeps_the_project_rules(client, clustered, tree):
    """A station operator of 水口村 sees the township survey's need but may not declare a
    project for the township's site: the page refuses it (403), nothing is declared."""
    survey, _drawn, _clusters = clustered
    owner = grant(UserFactory(username="own2"), Role.INSTITUTE_ADMIN, tree.t1)
    need = svc.cluster_mark_need(actor=owner, cluster=_cluster_with(survey, "广场舞培训"))
    station = grant(UserFactory(username="st"), Role.STATION_OPERATOR, tree.v1)
    client.force_login(station)
    resp = client.post(
        f"/surveys/needs/{need.pk}/", {"action": "declare", "name": "x", "category": "culture"}
    )
    assert resp.status_code == 403
    assert not need.projects.exists()
    resp = client.post(
        f"/surveys/needs/{need.pk}/", {"action": "declare", "name": "", "category": "culture"}
    )
    assert resp.status_code in (400, 403)


def test_need_answered_by_activities(clustered, owner, tree):
    survey, _drawn, _clusters = clustered
    need = svc.cluster_mark_need(actor=owner, cluster=_cluster_with(survey, "广场舞培训"))
    now = timezone.now()
    act = Activity.objects.create(
        title="广场舞教学",
        category="culture",
        site=tree.inst1,
        region=tree.t1,
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        capacity=30,
    )
    svc.need_link(actor=owner, need=need, activities=[act])
    assert list(need.activities.all()) == [act]
    assert Need.objects.get(pk=need.pk).status == NeedStatus.ANSWERED


def test_needs_scope_from_three_sides(client, clustered, owner, outsider, resident):
    survey, _drawn, clusters = clustered
    need = svc.cluster_mark_need(actor=owner, cluster=clusters[0])
    urls = [
        f"/surveys/needs/{need.pk}/",
        f"/surveys/clusters/{clusters[0].pk}/",
        f"/surveys/{survey.pk}/clusters/",
    ]
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 302, url
        client.force_login(resident)
        assert client.get(url).status_code == 403, url
        client.force_login(outsider)
        assert client.get(url).status_code == 404, url
        client.force_login(owner)
        assert client.get(url).status_code == 200, url
    client.force_login(outsider)
    assert "法律" not in client.get("/surveys/needs/").content.decode()


def test_cluster_pages_merge_split_rename(client, clustered, owner):
    survey, _drawn, _clusters = clustered
    meals = _cluster_with(survey, "希望给老人送餐")
    law = _cluster_with(survey, "免费法律咨询")
    client.force_login(owner)
    resp = client.post(f"/surveys/clusters/{meals.pk}/", {"action": "rename", "label": "助餐"})
    assert resp.status_code == 302
    assert Cluster.objects.get(pk=meals.pk).label == "助餐"
    resp = client.post(f"/surveys/clusters/{meals.pk}/", {"action": "rename", "label": ""})
    assert resp.status_code == 400
    resp = client.post(f"/surveys/{survey.pk}/clusters/merge/", {"cluster": [meals.pk, law.pk]})
    assert resp.status_code == 302
    assert Cluster.objects.filter(pk__in=[meals.pk, law.pk]).count() == 1
    resp = client.post(f"/surveys/{survey.pk}/clusters/merge/", {"cluster": ["x"]})
    assert resp.status_code == 400
    resp = client.post(f"/surveys/clusters/{meals.pk}/", {"action": "split"})
    assert resp.status_code == 400


def _served_project(tree, owner, drawn_users):
    project = ProjectFactory(site=tree.inst1, region=tree.t1)
    now = timezone.now()
    act = Activity.objects.create(
        title="义诊",
        category="health",
        site=tree.inst1,
        region=tree.t1,
        project=project,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2, hours=-2),
        capacity=50,
    )
    for u in drawn_users:
        Attendance.objects.create(
            activity=act, user=u, checked_in_at=now - timedelta(days=2), check_in_method="qr"
        )
    return project


def test_evaluation_goes_to_who_raised_the_need_and_who_was_served(tree, owner):
    raisers = [UserFactory(username=f"r{i}") for i in range(3)]
    served = [UserFactory(username=f"s{i}") for i in range(2)]
    needs_survey = make_survey(tree.inst1)
    fill(needs_survey, [tree.v1], 3, respondents=raisers)
    svc.clusters_rebuild(actor=owner, survey=needs_survey, question_name="wish")
    project = _served_project(tree, owner, served)
    for c in Cluster.objects.filter(survey=needs_survey):
        need = svc.cluster_mark_need(actor=owner, cluster=c)
        svc.need_link(actor=owner, need=need, projects=[project])
    evaluation = make_survey(tree.inst1, kind=SurveyKind.EVALUATION, project=project, title="问效")
    outsider_user = UserFactory(username="nobody")
    with pytest.raises(PermissionDenied):
        ev.evaluation_send(
            actor=grant(outsider_user, Role.INSTITUTE_ADMIN, tree.t2), survey=evaluation
        )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        n = ev.evaluation_send(actor=owner, survey=evaluation)
    assert n == 5
    got = set(
        Notification.objects.filter(kind="surveys.evaluation").values_list(
            "recipient__username", flat=True
        )
    )
    assert got == {u.username for u in raisers + served}
    assert Notification.objects.filter(link=f"/surveys/s/{evaluation.token}/").count() == 5


def test_evaluation_of_a_project_that_has_not_served_is_refused(tree, owner):
    project = ProjectFactory(site=tree.inst1, region=tree.t1)
    evaluation = make_survey(tree.inst1, kind=SurveyKind.EVALUATION, project=project)
    with pytest.raises(Conflict):
        ev.evaluation_send(actor=owner, survey=evaluation)


@pytest.mark.parametrize(
    ("ratings", "n", "flagged"),
    [
        (2, ev.POOR_MIN_ANSWERS, True),
        (2, ev.POOR_MIN_ANSWERS - 1, False),
        (3, 20, False),
        (4, 20, False),
    ],
)
def test_poor_evaluation_flags_the_project(client, tree, owner, ratings, n, flagged):
    project = ProjectFactory(site=tree.inst1, region=tree.t1)
    evaluation = make_survey(tree.inst1, kind=SurveyKind.EVALUATION, project=project)
    fill(evaluation, [tree.v1], n, rating=ratings)
    row = ev.evaluation_refresh(project)
    assert row.answers == n and row.mean == pytest.approx(ratings)
    assert row.flagged is flagged
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert ("需复核" in html) is flagged
    assert f"问效评分 {ratings}.0 / 5" in html
    # a later good round clears the flag
    fill(evaluation, [tree.v1], 3 * n + 10, rating=5, seed=9)
    assert ProjectEvaluation.objects.get(pk=ev.evaluation_refresh(project).pk).flagged is False


# ── 问效 sent automatically by the worker (PART 3) ──────────────────────────────────────
def _worker_once() -> None:
    """``manage.py worker --once`` as a freshly started worker (every periodic job due).
    The worker closes the database connection after its round, hence ``transaction=True``."""
    from django.core.management import call_command
    from django.test import TestCase

    from xinfeng.core.periodic import periodic_jobs

    for job in periodic_jobs():
        job.last_enqueued = float("-inf")
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("worker", "--once")


def _need_for(tree, owner, project, raisers, *, recognised_days_ago: int):
    needs_survey = make_survey(tree.inst1)
    fill(needs_survey, [tree.v1], 3, respondents=raisers)
    svc.clusters_rebuild(actor=owner, survey=needs_survey, question_name="wish")
    for c in Cluster.objects.filter(survey=needs_survey):
        need = svc.cluster_mark_need(actor=owner, cluster=c)
        svc.need_link(actor=owner, need=need, projects=[project])
    Need.objects.filter(survey=needs_survey).update(
        created_at=timezone.now() - timedelta(days=recognised_days_ago)
    )


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_worker_sends_the_evaluation_of_a_served_project_once(tree, owner):
    raisers = [UserFactory(username=f"ar{i}") for i in range(3)]
    served = [UserFactory(username=f"as{i}") for i in range(2)]
    project = _served_project(tree, owner, served)  # its activity ended 2 days ago
    _need_for(tree, owner, project, raisers, recognised_days_ago=3)
    unrelated = _served_project(tree, owner, [UserFactory(username="as_other")])  # no need

    _worker_once()
    survey = Survey.objects.get(kind=SurveyKind.EVALUATION, project=project)
    assert survey.status == SurveyStatus.OPEN and survey.meta["evaluation_sent"]["recipients"] == 5
    assert survey.current_version.questions.count() == len(ev.STANDARD_QUESTIONS)
    sent = Notification.objects.filter(
        kind="surveys.evaluation", link=f"/surveys/s/{survey.token}/"
    )
    assert set(sent.values_list("recipient__username", flat=True)) == {
        u.username for u in raisers + served
    }
    assert not Survey.objects.filter(project=unrelated).exists()
    assert not Notification.objects.filter(
        recipient__username="as_other", kind="surveys.evaluation"
    ).exists()

    _worker_once()  # idempotent: nothing more
    assert Survey.objects.filter(kind=SurveyKind.EVALUATION, project=project).count() == 1
    assert Notification.objects.filter(kind="surveys.evaluation").count() == 5


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_worker_uses_the_open_survey_staff_prepared(tree, owner):
    project = _served_project(tree, owner, [UserFactory(username="bs0")])
    _need_for(tree, owner, project, [UserFactory(username="br0")], recognised_days_ago=3)
    prepared = make_survey(tree.inst1, kind=SurveyKind.EVALUATION, project=project, title="问效")
    _worker_once()
    assert Survey.objects.filter(kind=SurveyKind.EVALUATION, project=project).count() == 1
    prepared.refresh_from_db()
    assert prepared.meta["evaluation_sent"]["recipients"] == 2


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_worker_waits_until_the_project_served_after_the_need(tree, owner):
    project = _served_project(tree, owner, [UserFactory(username="cs0")])  # 2 days ago
    _need_for(tree, owner, project, [UserFactory(username="cr0")], recognised_days_ago=1)
    _worker_once()
    assert not Survey.objects.filter(kind=SurveyKind.EVALUATION, project=project).exists()
    assert not Notification.objects.filter(kind="surveys.evaluation").exists()
