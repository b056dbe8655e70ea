"""Answering: the phone page (signed in or anonymous; a link or a QR poster) and paper
entry by station staff (代填). Both post to ``services.answering.response_submit``."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from xinfeng.core.audit import client_ip
from xinfeng.core.errors import DomainError, NotAuthenticated, ValidationFailed

from .. import policy, selectors
from ..choices import Channel
from ..services.answering import response_submit, survey_taking_answers
from .common import (
    DEVICE_COOKIE,
    demographics_context,
    question_rows,
    submission_from_post,
    survey_title,
)
from .staff import _require_staff as require_staff

COOKIE_AGE = 400 * 24 * 3600


def _coverage_villages(survey):
    return selectors.coverage_villages(survey)


def _device_id(request) -> tuple[str, bool]:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(24), True


def _answer(request, survey):
    questions = selectors.questions_of(survey.current_version)
    device_id, new_cookie = _device_id(request)
    closed_message = ""
    try:
        survey_taking_answers(survey)
    except DomainError as exc:
        closed_message = str(exc.detail)
    errors, status, refusal = {}, 200, ""
    posted = None
    if request.method == "POST":
        posted = request.POST
        channel = Channel.QR if request.POST.get("c") == "qr" else Channel.LINK
        try:
            response_submit(
                survey=survey,
                submission=submission_from_post(request, questions),
                respondent=request.user,
                device_id=device_id if not new_cookie else "",
                ip=client_ip(request) or "",
                channel=channel,
            )
        except NotAuthenticated:
            raise
        except ValidationFailed as exc:
            status = exc.status
            errors = dict(exc.fields or {})
            refusal = str(exc.detail)
        except DomainError as exc:
            status = exc.status
            refusal = str(exc.detail)
        else:
            resp = redirect("surveys:thanks", survey.token)
            if new_cookie:
                resp.set_cookie(
                    DEVICE_COOKIE, device_id, max_age=COOKIE_AGE, httponly=True, samesite="Lax"
                )
            return resp
    ctx = {
        "survey": survey,
        "title": survey_title(survey),
        "rows": question_rows(questions, posted=posted, errors=errors),
        "closed_message": closed_message,
        "refusal": refusal,
        "errors": errors,
        "channel": "qr" if (request.GET.get("c") or request.POST.get("c")) == "qr" else "",
        "needs_sign_in": not survey.allow_anonymous and not request.user.is_authenticated,
        "storage_key": f"xf-survey-{survey.token}-v{survey.current_version.number}",
        "action": request.get_full_path(),
        **demographics_context(
            _coverage_villages(survey), posted, default_village=request.GET.get("v")
        ),
    }
    resp = render(request, "surveys/answer.html", ctx, status=status)
    if new_cookie:
        resp.set_cookie(DEVICE_COOKIE, device_id, max_age=COOKIE_AGE, httponly=True, samesite="Lax")
    return resp


@never_cache
def answer_by_id(request, survey_id: int):
    return _answer(request, selectors.public_survey(survey_id=survey_id))


@never_cache
def answer_by_token(request, token: str):
    return _answer(request, selectors.public_survey(token=token))


@require_safe
def thanks(request, token: str):
    survey = selectors.public_survey(token=token)
    return render(
        request,
        "surveys/thanks.html",
        {
            "survey": survey,
            "title": survey_title(survey),
            "storage_key": f"xf-survey-{survey.token}-v{survey.current_version.number}",
        },
    )


def _entered(value) -> int:
    """The page's running count of forms entered (a hidden field: anything else is 0)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else 0


@login_required
@never_cache
def paper_entry(request, survey_id: int):
    """代填: station staff type in a paper questionnaire; Enter saves it and opens the
    next blank form (the village stays chosen)."""
    require_staff(request.user)
    survey = selectors.staff_survey_get(user=request.user, survey_id=survey_id)
    policy.require_may_enter_paper(request.user, survey)
    questions = selectors.questions_of(survey.current_version)
    villages = policy.paper_villages(request.user, survey).select_related("parent").order_by("path")
    errors, status, refusal, posted = {}, 200, "", None
    try:
        survey_taking_answers(survey)
        closed_message = ""
    except DomainError as exc:
        closed_message = str(exc.detail)
    if request.method == "POST":
        posted = request.POST
        try:
            response_submit(
                survey=survey,
                submission=submission_from_post(request, questions),
                entered_by=request.user,
                channel=Channel.PAPER,
            )
        except ValidationFailed as exc:
            status, errors, refusal = exc.status, dict(exc.fields or {}), str(exc.detail)
        except DomainError as exc:
            if exc.status in (401, 403):
                raise
            status, refusal = exc.status, str(exc.detail)
        else:
            n = _entered(request.POST.get("entered")) + 1
            messages.success(request, _("已保存，本次共录入 %(n)d 份。") % {"n": n})
            url = reverse("surveys:paper", args=[survey.pk])
            return redirect(f"{url}?village={request.POST.get('village', '')}&entered={n}")
    entered = request.POST.get("entered") if posted else request.GET.get("entered")
    ctx = {
        "survey": survey,
        "title": survey_title(survey),
        "rows": question_rows(questions, posted=posted, errors=errors),
        "refusal": refusal,
        "closed_message": closed_message,
        "errors": errors,
        "entered": str(_entered(entered)),
        **demographics_context(villages, posted, default_village=request.GET.get("village")),
    }
    return render(request, "surveys/paper.html", ctx, status=status)
