"""Staff pages: the targets' daily figures, dead letters with "retry", pause, the
reconciliation file. 实践中心管理员 and system administrators only (others 403)."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError

from . import conf, selectors
from .models import OutboxRow
from .policy import may_manage_sync
from .services.outbox import outbox_retry, target_pause
from .services.reconcile import reconciliation_csv


def _guard(request):
    if not may_manage_sync(request.user):
        raise PermissionDenied


@require_safe
@login_required
def dead_letters(request):
    _guard(request)
    return render(
        request,
        "sync/dead_letters.html",
        {"rows": selectors.dead_letters(), "targets": selectors.targets_overview()},
    )


@login_required
@require_POST
def retry(request, pk: int):
    _guard(request)
    try:
        outbox_retry(actor=request.user, row_id=pk)
        messages.success(request, _("已重新排队发送。"))
    except OutboxRow.DoesNotExist:
        messages.error(request, _("没有这条记录。"))
    except DomainError as exc:
        messages.error(
            request, _("只有失败的记录可以重试。") if exc.code == "not_dead" else str(exc)
        )
    return redirect("sync:dead_letters")


@login_required
@require_POST
def pause(request, target: str):
    _guard(request)
    if conf.target(target) is None:
        raise Http404
    paused = request.POST.get("paused") == "1"
    target_pause(
        actor=request.user, target_name=target, paused=paused, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("已暂停发送。") if paused else _("已恢复发送。"))
    return redirect("sync:dead_letters")


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@require_safe
@login_required
def reconciliation(request, target: str):
    _guard(request)
    if conf.target(target) is None:
        raise Http404
    today = timezone.localdate()
    end = _day(request.GET.get("end"), today)
    start = _day(request.GET.get("start"), end - timedelta(days=6))
    if start > end or (end - start).days > 366:
        start = end - timedelta(days=6)
    body = reconciliation_csv(target=target, start=start, end=end)
    resp = HttpResponse(body, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="sync-{target}-{start}-{end}.csv"'
    return resp
