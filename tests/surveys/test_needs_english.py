"""PART 2's pages in English: results, clusters, a cluster, needs, a need, stop words and the
project page's 三问 section leave no Chinese but the data people entered."""

import re

from django.test import Client

from xinfeng.places.models import Site
from xinfeng.regions.models import Region
from xinfeng.surveys.clustering import default_stop_words
from xinfeng.surveys.models import Answer, Cluster, Need
from xinfeng.surveys.services import evaluation as ev
from xinfeng.surveys.services import needs as svc

from .needs_helpers import fill, make_survey

HAN = re.compile(r"[\u4e00-\u9fff]")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_part2_pages_in_english(tree, owner):
    survey = make_survey(tree.inst1, title="Needs survey")
    fill(survey, [tree.v1], 40, seed=2)
    svc.clusters_rebuild(actor=owner, survey=survey, question_name="wish")
    cluster = Cluster.objects.filter(survey=survey).order_by("-count").first()
    need = svc.cluster_mark_need(actor=owner, cluster=cluster)
    project = svc.need_declare_project(actor=owner, need=need, name="Legal aid")
    ev.evaluation_refresh(project)
    client = Client()
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    client.force_login(owner)
    data = [owner.name, *Region.objects.values_list("name", flat=True)]
    data += Site.objects.values_list("name", flat=True)
    data += Answer.objects.exclude(text="").values_list("text", flat=True)
    data += Cluster.objects.values_list("label", flat=True)
    data += Need.objects.values_list("title", flat=True)
    data += [w for c in Cluster.objects.all() for w in c.examples]
    data += default_stop_words()
    # the project's texts were pre-filled in the declarer's language and stored as typed
    data += [project.summary, *project.description.splitlines()]
    pages = [
        f"/surveys/{survey.pk}/results/",
        f"/surveys/{survey.pk}/results/?q=sat&by=age_band",
        f"/surveys/{survey.pk}/clusters/",
        f"/surveys/clusters/{cluster.pk}/",
        "/surveys/needs/",
        f"/surveys/needs/{need.pk}/",
        "/surveys/stopwords/",
        f"/projects/{project.pk}/",
    ]
    for path in pages:
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = visible_text(resp.content.decode())
        for value in sorted(set(data), key=len, reverse=True):
            text = text.replace(value, "")
        leftovers = set(HAN.findall(text)) - set("中文新")
        assert not leftovers, f"untranslated on {path}: {''.join(sorted(leftovers))}"
