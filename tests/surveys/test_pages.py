"""Staff pages and paper entry: scope from three sides (anonymous → sign-in, wrong role →
403, another township → 404), what each page shows, paper entry (代填), QR posters."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinfeng.surveys.choices import Channel
from xinfeng.surveys.models import Response, Survey
from xinfeng.surveys.services import authoring

from .conftest import QUESTIONS

STAFF_PAGES = ["", "edit/", "questions/", "import/", "xlsform.xlsx", "poster.pdf", "paper/"]


def as_user(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_from_three_sides(sv, page):
    url = f"/surveys/{sv.survey.pk}/{page}"
    r = as_user(None).get(url)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert as_user(sv.resident).get(url).status_code == 403
    assert as_user(sv.outsider).get(url).status_code == 404  # another township
    assert as_user(sv.owner).get(url).status_code == 200
    assert as_user(sv.center).get(url).status_code == 200


@pytest.mark.parametrize(
    ("page", "status"),
    [("", 200), ("paper/", 200), ("poster.pdf", 200), ("edit/", 403), ("questions/", 403),
     ("import/", 403), ("xlsform.xlsx", 403)],
)  # fmt: skip
def test_station_staff_enter_papers_of_their_townships_survey_but_do_not_edit_it(sv, page, status):
    assert as_user(sv.station).get(f"/surveys/{sv.survey.pk}/{page}").status_code == status


def test_publish_and_close_are_posts_by_managers_only(sv):
    url = f"/surveys/{sv.survey.pk}/close/"
    assert as_user(sv.station).post(url).status_code == 403
    assert as_user(sv.outsider).post(url).status_code == 404
    r = as_user(sv.owner).post(url)
    assert r.status_code == 302
    assert Survey.objects.get(pk=sv.survey.pk).status == "closed"


def test_list_shows_own_and_covering_surveys_never_another_townships(sv, tree):
    other = authoring.survey_create(
        actor=sv.outsider, site=tree.inst2, kind="ideas", title="江益镇问计"
    )
    html = as_user(sv.station).get("/surveys/").content.decode()
    assert "苏家垱乡问需调查" in html and "江益镇问计" not in html
    html = as_user(sv.outsider).get("/surveys/").content.decode()
    assert "江益镇问计" in html and "苏家垱乡问需调查" not in html
    html = as_user(sv.center).get("/surveys/").content.decode()
    assert "江益镇问计" in html and "苏家垱乡问需调查" in html
    assert other.pk


def test_list_search_and_empty_state(sv):
    c = as_user(sv.owner)
    assert "苏家垱乡问需调查" in c.get("/surveys/?q=问需").content.decode()
    html = c.get("/surveys/?q=没有这样的问卷").content.decode()
    assert "没有符合条件的问卷" in html
    assert c.get("/surveys/?status=bogus&page=abc").status_code == 200


def test_list_query_count_does_not_grow_with_surveys(sv, tree):
    c = as_user(sv.owner)
    c.get("/surveys/")  # warm the shell's per-person caches

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/surveys/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        authoring.survey_create(actor=sv.owner, site=tree.inst1, kind="needs", title=f"问卷{i}")
    assert count() == before


def test_list_paginates(sv, tree):
    for i in range(31):
        Survey.objects.create(title=f"批量{i}", kind="needs", site=tree.inst1)
    c = as_user(sv.owner)
    assert "第 1 / 2 页" in c.get("/surveys/").content.decode()
    assert "第 2 / 2 页" in c.get("/surveys/?page=2").content.decode()


def test_create_page_makes_a_draft_and_refuses_a_site_outside_the_area(sv, tree):
    c = as_user(sv.owner)
    r = c.post("/surveys/new/", {"title": "新问卷", "kind": "needs", "site": tree.inst2.pk,
                                 "duplicate_policy": "per_device", "duplicate_window_hours": 24,
                                 "max_per_address": 30})  # fmt: skip
    assert r.status_code == 400 and not Survey.objects.filter(title="新问卷").exists()
    r = c.post("/surveys/new/", {"title": "新问卷", "kind": "needs", "site": tree.inst1.pk,
                                 "duplicate_policy": "per_device", "duplicate_window_hours": 24,
                                 "max_per_address": 30, "allow_anonymous": "on"})  # fmt: skip
    s = Survey.objects.get(title="新问卷")
    assert r.status_code == 302 and r["Location"] == f"/surveys/{s.pk}/questions/"


def test_questions_editor_saves_rows_and_a_published_survey_gets_a_new_version(sv):
    c = as_user(sv.owner)
    data = {
        "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
        "form-0-position": "2", "form-0-name": "b", "form-0-label_zh": "乙", "form-0-qtype": "text",
        "form-1-position": "1", "form-1-name": "a", "form-1-label_zh": "甲",
        "form-1-qtype": "select_one", "form-1-required": "on",
        "form-1-choices": "x=选项一|One\ny=选项二",
    }  # fmt: skip
    r = c.post(f"/surveys/{sv.survey.pk}/questions/", data)
    assert r.status_code == 302
    sv.survey.refresh_from_db()
    v = sv.survey.current_version
    assert v.number == 2
    assert [(q.name, q.position) for q in v.questions.order_by("position")] == [("a", 1), ("b", 2)]
    assert v.questions.get(name="a").choices[0] == {
        "key": "x",
        "label_zh": "选项一",
        "label_en": "One",
    }


def test_questions_editor_shows_bad_logic_naming_the_question(sv):
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": "a",
        "form-0-label_zh": "甲", "form-0-qtype": "text", "form-0-relevant": "${zz} = 1",
    }  # fmt: skip
    r = as_user(sv.owner).post(f"/surveys/{sv.survey.pk}/questions/", data)
    assert r.status_code == 400 and "第 1 题（a）" in r.content.decode()


# --- paper entry (代填) -----------------------------------------------------------------------


def paper(sv, **over):
    data = {"village": sv.tree.v1.pk, "age_band": "70_79", "sex": "f", "need": "health",
            "sat": "3", "people": "1", "wish": "", "entered": "4"}  # fmt: skip
    data.update(over)
    return data


def test_paper_entry_is_marked_as_such_and_opens_the_next_blank_form(sv):
    c = as_user(sv.station)
    r = c.post(f"/surveys/{sv.survey.pk}/paper/", paper(sv))
    assert r.status_code == 302
    assert r["Location"] == f"/surveys/{sv.survey.pk}/paper/?village={sv.tree.v1.pk}&entered=5"
    resp = Response.objects.get()
    assert resp.is_proxy and resp.entered_by == sv.station and resp.channel == Channel.PAPER
    assert resp.respondent is None
    html = c.get(r["Location"]).content.decode()
    assert "本次已录入 5 份" in html
    assert f'<option value="{sv.tree.v1.pk}" selected' in html  # the village stays chosen


def test_paper_entries_are_not_refused_as_duplicates(sv):
    c = as_user(sv.station)
    for _i in range(3):
        assert c.post(f"/surveys/{sv.survey.pk}/paper/", paper(sv)).status_code == 302
    assert Response.objects.filter(is_proxy=True).count() == 3


def test_paper_entry_for_a_village_outside_the_staff_area_is_400(sv):
    r = as_user(sv.station).post(f"/surveys/{sv.survey.pk}/paper/", paper(sv, village=sv.v1b.pk))
    assert r.status_code == 400 and "只能为您负责" in r.content.decode()
    assert not Response.objects.exists()
    # the township's institute covers both villages
    assert (
        as_user(sv.owner)
        .post(f"/surveys/{sv.survey.pk}/paper/", paper(sv, village=sv.v1b.pk))
        .status_code
        == 302
    )


def test_paper_entry_keeps_what_was_typed_when_refused(sv):
    r = as_user(sv.station).post(f"/surveys/{sv.survey.pk}/paper/", paper(sv, sat="9"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "评分须在 1 到 5 之间" in html and 'value="health" checked' in html


def test_paper_entry_after_close_is_refused(sv):
    authoring.survey_close(actor=sv.owner, survey=sv.survey)
    r = as_user(sv.station).post(f"/surveys/{sv.survey.pk}/paper/", paper(sv))
    assert r.status_code == 409 and not Response.objects.exists()


# --- posters -----------------------------------------------------------------------------------


def test_poster_pdf_per_village_has_a_page_each_and_embeds_its_own_font_subset(sv):
    c = as_user(sv.owner)
    one = c.get(f"/surveys/{sv.survey.pk}/poster.pdf")
    many = c.get(f"/surveys/{sv.survey.pk}/poster.pdf?villages=1")
    assert one.content.startswith(b"%PDF") and many.content.startswith(b"%PDF")
    assert one.content.count(b"/Type /Page\n") + one.content.count(b"/Type /Page ") >= 1
    assert many.content.count(b"/Type /Page") - many.content.count(b"/Type /Pages") == 2
    station = as_user(sv.station).get(f"/surveys/{sv.survey.pk}/poster.pdf?villages=1")
    assert station.content.count(b"/Type /Page") - station.content.count(b"/Type /Pages") == 1


def test_a_draft_survey_has_no_public_page(tree, owner):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind="needs", title="草稿")
    authoring.survey_set_questions(actor=owner, survey=s, questions=QUESTIONS)
    assert Client().get(f"/surveys/s/{s.token}/").status_code == 404
    assert Client().get(f"/surveys/{s.pk}/answer/").status_code == 404


def test_english_survey_pages_use_the_english_labels(sv):
    c = as_user(sv.owner)
    html = (
        Client().get(f"/surveys/s/{sv.survey.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "Which service do you need most?" in html and "Elderly care" in html
    html = c.get("/surveys/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New survey" in html


def test_my_page_links_staff_to_the_survey_list_and_not_residents(sv):
    assert "/surveys/" in as_user(sv.station).get("/accounts/me/").content.decode()
    assert 'href="/surveys/"' not in as_user(sv.resident).get("/accounts/me/").content.decode()
