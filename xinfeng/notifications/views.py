from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services


@require_safe
@login_required
def inbox(request):
    """Every user's inbox (站内信): newest first, unread marked."""
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(user=request.user),
        },
    )


@login_required
@require_POST
def mark_read(request):
    """Mark one notification (``id``) or all as read; then follow its link if asked."""
    nid = request.POST.get("id")
    ids = [int(nid)] if nid and nid.isdigit() else None
    services.notification_mark_read(actor=request.user, ids=ids)
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return redirect(nxt)
    return redirect("notifications:inbox")
