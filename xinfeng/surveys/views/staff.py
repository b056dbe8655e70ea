"""Staff pages: the survey list, create (by hand or from an XLSForm), settings, questions
editor, publish/close, XLSForm export, QR posters. Scope: ``selectors.staff_survey_get``
(404 outside the reader's area), then ``policy`` for what they may do (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.scope import is_staff_anywhere
from xinfeng.core.errors import DomainError, PermissionDenied
from xinfeng.core.pages import apply_errors

from .. import policy, selectors
from ..choices import SurveyStatus
from ..forms import (
    QuestionFormSet,
    SurveyForm,
    XLSFormReplaceForm,
    XLSFormUploadForm,
    question_initial,
    read_upload,
)
from ..services import authoring, poster, xlsform, xlsform_export

MAX_POSTER_PAGES = 300


def _require_staff(user) -> None:
    if not is_staff_anywhere(user):
        raise PermissionDenied(_("问卷管理仅限实践中心、所、站的工作人员。"), code="staff_only")


@require_safe
@login_required
def survey_list(request):
    """Surveys of the staff member's area (owned there, or covering it)."""
    _require_staff(request.user)
    q = (request.GET.get("q") or "").strip()[:50]
    status = request.GET.get("status") or ""
    if status not in SurveyStatus.values:
        status = ""
    qs = selectors.staff_survey_list(user=request.user, q=q or None, status=status or None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    counts = selectors.response_counts(s.pk for s in page.object_list)
    rows = [{"s": s, "n": counts.get(s.pk, 0)} for s in page.object_list]
    return render(
        request,
        "surveys/list.html",
        {"page": page, "rows": rows, "q": q, "status": status, "statuses": SurveyStatus.choices},
    )


def _survey_fields(data: dict) -> dict:
    keys = (
        "title",
        "title_en",
        "description",
        "opens_at",
        "closes_at",
        "duplicate_policy",
        "duplicate_window_hours",
        "max_per_address",
        "allow_anonymous",
    )
    return {k: data[k] for k in keys if k in data and data[k] is not None}


@login_required
def survey_create(request):
    _require_staff(request.user)
    form = SurveyForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey = authoring.survey_create(
                actor=request.user,
                site=d["site"],
                kind=d["kind"],
                regions=d.get("regions") or [],
                project=d.get("project"),
                **_survey_fields(d),
            )
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("问卷已创建，请添加题目。"))
            return redirect("surveys:questions", survey.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, "surveys/form.html", {"form": form, "title": _("新建问卷")}, status=status
    )


@login_required
def survey_import(request):
    """新建问卷 from an XLSForm workbook."""
    _require_staff(request.user)
    form = XLSFormUploadForm(request.POST or None, request.FILES or None, user=request.user)
    status, problems = 200, []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        extra = {"title": d["title"]} if d.get("title") else {}
        try:
            survey, notices = xlsform.survey_import_xlsform(
                actor=request.user,
                content=read_upload(d["file"]),
                site=d["site"],
                kind=d["kind"],
                **extra,
            )
        except DomainError as exc:
            status = exc.status
            problems = getattr(exc, "problems", None) or [str(exc.detail)]
        else:
            for n in notices:
                messages.info(request, n)
            messages.success(request, _("已从 XLSForm 导入问卷。"))
            return redirect("surveys:detail", survey.pk)
    elif request.method == "POST":
        upload = request.FILES.get("file")
        too_big = upload is not None and upload.size > xlsform.MAX_XLSFORM_BYTES
        status = 413 if "file" in form.errors and too_big else 400  # an empty file is 400
    return render(
        request, "surveys/import.html", {"form": form, "problems": problems}, status=status
    )


@require_safe
@login_required
def survey_detail(request, survey_id: int):
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    versions = list(survey.versions.order_by("-number"))
    counts = selectors.version_counts(survey)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": selectors.questions_of(survey.current_version)
            if survey.current_version
            else [],
            "versions": [{"v": v, "n": counts.get(v.pk, 0)} for v in versions],
            "total": sum(counts.values()),
            "proxy_total": selectors.proxy_count(survey),
            "may_manage": policy.may_manage_survey(request.user, survey),
            "may_paper": policy.may_enter_paper(request.user, survey),
            "regions": list(survey.regions.order_by("path")),
            "answer_url": request.build_absolute_uri(f"/surveys/s/{survey.token}/"),
        },
    )


@login_required
def survey_edit(request, survey_id: int):
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    policy.require_may_manage(request.user, survey)
    initial = {
        "title": survey.title,
        "title_en": survey.title_en,
        "description": survey.description,
        "regions": list(survey.regions.all()),
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "allow_anonymous": survey.allow_anonymous,
        "duplicate_policy": survey.duplicate_policy,
        "duplicate_window_hours": survey.duplicate_window_hours,
        "max_per_address": survey.max_per_address,
        "project": survey.project,
    }
    form = SurveyForm(request.POST or None, user=request.user, editing=True, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            authoring.survey_update(
                actor=request.user,
                survey=survey,
                regions=d.get("regions") or [],
                project=d.get("project"),
                **_survey_fields(d),
            )
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("问卷设置已保存。"))
            return redirect("surveys:detail", survey.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": _("问卷设置"), "survey": survey},
        status=status,
    )


@login_required
def survey_questions(request, survey_id: int):
    """The questions editor: one row per question plus blank rows; a row left without name
    and text is dropped. Saving a published survey makes a new version."""
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    policy.require_may_manage(request.user, survey)
    questions = selectors.questions_of(survey.current_version) if survey.current_version else []
    try:
        extra = min(max(int(request.GET.get("extra", 3)), 0), 50)
    except ValueError:
        extra = 3
    initial = [question_initial(q) for q in questions] + [{} for _i in range(extra)]
    formset = QuestionFormSet(request.POST or None, initial=None if request.POST else initial)
    status, problems = 200, []
    if request.method == "POST" and formset.is_valid():
        rows = [f for f in formset.forms if f.cleaned_data and not f.is_blank()]
        rows.sort(key=lambda f: (f.cleaned_data.get("position") or 999, formset.forms.index(f)))
        try:
            version = authoring.survey_set_questions(
                actor=request.user, survey=survey, questions=[f.question() for f in rows]
            )
        except DomainError as exc:
            status = exc.status
            problems = getattr(exc, "problems", None) or [str(exc.detail)]
        else:
            messages.success(request, _("题目已保存（第 %(n)d 版）。") % {"n": version.number})
            return redirect("surveys:detail", survey.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "surveys/questions.html",
        {
            "survey": survey,
            "formset": formset,
            "problems": problems,
            "new_version": survey.status != SurveyStatus.DRAFT
            or (survey.current_version and survey.current_version.frozen_at),
        },
        status=status,
    )


@login_required
def survey_reimport(request, survey_id: int):
    """Give the survey an XLSForm's questions (a new version once published)."""
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    policy.require_may_manage(request.user, survey)
    form = XLSFormReplaceForm(request.POST or None, request.FILES or None)
    status, problems = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            _s, notices = xlsform.survey_import_xlsform(
                actor=request.user, content=read_upload(form.cleaned_data["file"]), survey=survey
            )
        except DomainError as exc:
            status = exc.status
            problems = getattr(exc, "problems", None) or [str(exc.detail)]
        else:
            for n in notices:
                messages.info(request, n)
            messages.success(request, _("已从 XLSForm 更新题目。"))
            return redirect("surveys:detail", survey.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "surveys/import.html",
        {"form": form, "problems": problems, "survey": survey},
        status=status,
    )


MOVES = {"publish": authoring.survey_publish, "close": authoring.survey_close}


@login_required
@require_POST
def survey_move(request, survey_id: int, action: str):
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    try:
        MOVES[action](actor=request.user, survey=survey)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, str(exc.detail))
    else:
        messages.success(
            request, _("问卷已发布。") if action == "publish" else _("问卷已结束收集。")
        )
    return redirect("surveys:detail", survey.pk)


def survey_publish(request, survey_id: int):
    return survey_move(request, survey_id, "publish")


def survey_close(request, survey_id: int):
    return survey_move(request, survey_id, "close")


@require_safe
@login_required
def survey_export(request, survey_id: int):
    """The survey's current questions as an XLSForm workbook."""
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    policy.require_may_manage(request.user, survey)
    response = HttpResponse(
        xlsform_export.xlsform_bytes(survey),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-xlsform.xlsx"'
    return response


@login_required
def survey_poster(request, survey_id: int):
    """QR poster PDF: ``?villages=1`` a page per village of the reader's area in the
    survey's coverage, else one page for the site."""
    _require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    policy.require_may_enter_paper(request.user, survey)
    villages = []
    if request.GET.get("villages"):
        villages = list(
            policy.paper_villages(request.user, survey).order_by("path")[:MAX_POSTER_PAGES]
        )
    pdf = poster.poster_pdf_bytes(
        survey=survey, base_url=request.build_absolute_uri("/"), villages=villages
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}-poster.pdf"'
    return response
