"""The live board of a call-out and the answer page opened from the phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError
from xinfeng.volunteers.models import Team, Volunteer

from .. import selectors
from ..choices import Answer, RecipientState
from ..models import CalloutRecipient
from ..policy import may_run
from ..services import callouts as svc

BOARD_PEOPLE = 100


def board_people(callout) -> list[dict]:
    """The latest 100 people the call-out reached, latest answer first, then those who have
    not answered in roster order, as plain rows for the template: small queries (the rows
    without joins, then the 100 names), labels and links made once, so the board polled every few seconds renders
    in milliseconds at 10,000 people."""
    reached = (
        CalloutRecipient.objects.filter(callout=callout)
        .exclude(state__in=[RecipientState.QUEUED, RecipientState.RESERVE])
        .values("pk", "volunteer_id", "team_id", "state", "returnee", "on_standby")
    )
    # Both read the first rows of the index (callout, -answered_at, rank) in order.
    rows = list(
        reached.filter(answered_at__isnull=False).order_by("-answered_at", "rank")[:BOARD_PEOPLE]
    )
    if len(rows) < BOARD_PEOPLE:
        rows += reached.filter(answered_at__isnull=True).order_by("rank")[
            : BOARD_PEOPLE - len(rows)
        ]
    names = dict(
        Volunteer.objects.filter(pk__in={r["volunteer_id"] for r in rows}).values_list("pk", "name")
    )
    teams = dict(
        Team.objects.filter(pk__in={r["team_id"] for r in rows if r["team_id"]}).values_list(
            "pk", "name"
        )
    )
    labels = {value: str(label) for value, label in RecipientState.choices}
    arrive = reverse("emergency:mark_arrived", args=[callout.pk, 0])[:-2]  # …/arrived/
    return [
        {
            **r,
            "name": names.get(r["volunteer_id"], ""),
            "team": teams.get(r["team_id"], ""),
            "state_label": labels.get(r["state"], r["state"]),
            "arrive_url": f"{arrive}{r['pk']}/",
        }
        for r in rows
    ]


def _board_context(request, callout):
    return {
        "callout": callout,
        "board": selectors.callout_board(callout),
        "people": board_people(callout),
        "may_run": may_run(request.user, callout.incident),
    }


@require_safe
@login_required
def board(request, pk: int):
    callout = selectors.callout_get(user=request.user, pk=pk)
    return render(request, "emergency/board.html", _board_context(request, callout))


@require_safe
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
