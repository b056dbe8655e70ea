"""The live board of a call-out and the answer page opened from the phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfeng.core.errors import DomainError

from .. import selectors
from ..choices import Answer, RecipientState
from ..models import CalloutRecipient
from ..policy import may_run
from ..services import callouts as svc

BOARD_PEOPLE = 100


def _board_context(request, callout):
    people = (
        CalloutRecipient.objects.filter(callout=callout)
        .exclude(state__in=[RecipientState.QUEUED, RecipientState.RESERVE])
        .select_related("volunteer", "team")
        .order_by("-answered_at", "rank")[:BOARD_PEOPLE]
    )
    return {
        "callout": callout,
        "board": selectors.callout_board(callout),
        "people": people,
        "may_run": may_run(request.user, callout.incident),
    }


@login_required
def board(request, pk: int):
    callout = selectors.callout_get(user=request.user, pk=pk)
    return render(request, "emergency/board.html", _board_context(request, callout))


@login_required
def board_fragment(request, pk: int):
    """The board's counts, polled by htmx every few seconds (no full reload)."""
    callout = selectors.callout_get(user=request.user, pk=pk)
    return render(request, "emergency/_board.html", _board_context(request, callout))


@login_required
@require_POST
def mark_arrived(request, pk: int, rid: int):
    callout = selectors.callout_get(user=request.user, pk=pk)
    row = get_object_or_404(CalloutRecipient, pk=rid, callout=callout)
    svc.callout_mark_arrived(actor=request.user, recipient=row)
    return redirect("emergency:board", callout.pk)


@login_required
@require_POST
def close(request, pk: int):
    callout = selectors.callout_get(user=request.user, pk=pk)
    svc.callout_close(actor=request.user, callout=callout)
    messages.success(request, _("召集已结束。"))
    return redirect("emergency:board", callout.pk)


def answer(request, token: str):
    """来 / 不来 / 稍后 from the link in the message; the signed link is the key, so it
    works on a phone without signing in."""
    row = svc.recipient_for_token(token)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            row = svc.callout_answer(recipient=row, answer=request.POST.get("answer", ""))
        except DomainError as exc:
            error, status = str(exc.detail), exc.status
    return render(
        request,
        "emergency/answer.html",
        {"row": row, "callout": row.callout, "answers": Answer.choices, "error": error},
        status=status,
    )
