"""The caller's own inbox: list (keyset pages), unread count, mark read."""

from datetime import datetime

from ninja import Field, Router, Schema

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit

from . import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    """One message, its title and body rendered in the caller's language."""

    id: int
    title: str
    body: str
    link: str
    kind: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.title_text

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.body_text


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class MarkReadIn(Schema):
    ids: list[int] | None = Field(None, max_length=500, description="omit to mark all read")


class MarkReadOut(Schema):
    marked: int
    unread: int


@router.get("/", response=NotificationPage, summary="My inbox, newest first", auth=signed_in)
def list_notifications(request, unread: bool = False, cursor: str | None = None, limit: Limit = 50):
    user = request.auth
    items, nxt = keyset_page(
        selectors.notification_list(user=user, unread_only=unread),
        cursor=cursor,
        limit=limit,
        ordering=("-id",),
    )
    return {"items": items, "next_cursor": nxt, "unread": selectors.unread_count(user=user)}


@router.post("/read", response=MarkReadOut, summary="Mark some (or all) as read", auth=signed_in)
def mark_read(request, payload: MarkReadIn):
    user = request.auth
    n = services.notification_mark_read(actor=user, ids=payload.ids)
    return {"marked": n, "unread": selectors.unread_count(user=user)}
