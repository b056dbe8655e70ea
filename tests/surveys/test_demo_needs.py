"""The demo step "surveys" on the session's demo city: a 问需 survey per township with a
few thousand answers, clusters, needs linked to most of the 141 projects (visible on their
pages), one 问效 round with a flagged project; the results page of a township survey."""

from collections import Counter

from django.test import Client

from xinfeng.projects.models import Project
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.surveys import results
from xinfeng.surveys.choices import SurveyKind
from xinfeng.surveys.models import (
    Answer,
    Cluster,
    ClusterMember,
    Need,
    ProjectEvaluation,
    Response,
    Survey,
)


def test_demo_surveys(demo_city):
    needs_surveys = Survey.objects.filter(kind=SurveyKind.NEEDS)
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP, parent=demo_city.city)
    assert needs_surveys.count() == townships.count() >= 6
    responses = Response.objects.filter(survey__in=needs_surveys)
    assert 2000 <= responses.count() <= 6000
    # every wish answer sits in exactly one cluster; cluster counts are their members
    wishes = Answer.objects.filter(survey__in=needs_surveys).exclude(text="")
    assert ClusterMember.objects.filter(answer__in=wishes).count() == wishes.count()
    members = Counter(ClusterMember.objects.values_list("cluster_id", flat=True))
    for cluster in Cluster.objects.filter(survey__in=needs_surveys):
        assert cluster.count == members[cluster.pk]
    # needs answered by most projects
    linked = Project.objects.filter(survey_needs__isnull=False).distinct().count()
    assert linked > Project.objects.count() / 2
    assert Need.objects.filter(status="answered").exists()
    # one 问效 round, one project flagged
    assert ProjectEvaluation.objects.count() >= 3
    assert ProjectEvaluation.objects.filter(flagged=True).count() == 1
    # realistic distributions: the elderly and children lead the 'most needed' answers
    most = Counter(
        Answer.objects.filter(survey__in=needs_surveys, question__name="most").values_list(
            "choice", flat=True
        )
    )
    assert most.most_common(1)[0][0] in ("elderly", "health", "children")


def test_demo_project_page_and_results(demo_city):
    need = Need.objects.filter(projects__isnull=False).order_by("-people").first()
    project = need.projects.first()
    client = Client()
    client.force_login(demo_city.users["center"])
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "来自三问：" in html and f"/surveys/needs/{need.pk}/" in html
    survey = need.survey
    resp = client.get(f"/surveys/{survey.pk}/results/")
    assert resp.status_code == 200
    total, _groups = results.question_results(survey)
    assert total == Response.objects.filter(survey=survey).count() > 0
    flagged = ProjectEvaluation.objects.get(flagged=True).project
    assert "需复核" in client.get(f"/projects/{flagged.pk}/").content.decode()
