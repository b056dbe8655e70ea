"""Responsible persons (一把手), staff and handovers. Every function is keyword-only and
atomic, checks ``policy.may_appoint_at`` and locks the site row, so two handovers of one
site cannot both end the same term."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.accounts.services import role_grant, role_revoke
from xinfeng.core.audit import audit_record
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import PLAN, check_window, full_clean_or_raise
from xinfeng.notifications.services import notify
from xinfeng.places.models import Site

from .. import policy, selectors
from .. import texts as T
from ..choices import HandoverKind, StaffKind
from ..models import Handover, ResponsibleTerm, SiteStaff


def _lock_site(actor, site: Site) -> Site:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    site = (
        Site.objects.select_for_update(of=("self",))
        .select_related("region", "parent__region")
        .get(pk=site.pk)
    )
    if site.level not in policy.GOVERNED_LEVELS:
        raise ValidationFailed(
            _("只有实践中心、所、站登记一把手和专职人员。"), code="not_governed_level"
        )
    if not policy.may_appoint_at(actor, site):
        raise PermissionDenied(_("一把手和专职人员由上一级阵地的管理员登记。"))
    return site


def _check_dates(starts_on: date, ends_on: date | None, *, start_field="starts_on") -> None:
    check_window(PLAN, **{start_field: starts_on})
    if ends_on is not None:
        check_window(PLAN, ends_on=ends_on)
        if ends_on < starts_on:
            raise ValidationFailed(
                _("任期结束日期不能早于开始日期。"),
                code="ends_before_start",
                fields={"ends_on": [_("任期结束日期不能早于开始日期。")]},
            )


def _overlapping_term(site: Site, starts_on: date, ends_on: date | None, exclude=None):
    qs = ResponsibleTerm.objects.filter(site=site)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    return qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)).first()


def _mirror_on_site(site: Site) -> None:
    """Keep the site's own responsible fields (places: the staff API, the admin) equal to
    the term in office."""
    term = selectors.current_term(site)
    site.responsible_name = term.name if term else ""
    site.responsible_title = term.post if term else ""
    site.responsible_user = term.user if term else None
    # save(), not QuerySet.update(): the Site signal tells the caches that route orders to a
    # site's staff (orders.services.routing) that the answering person changed.
    site.save(update_fields=["responsible_name", "responsible_title", "responsible_user"])


@transaction.atomic
def responsible_appoint(
    *,
    actor,
    site: Site,
    user,
    post: str,
    starts_on: date,
    ends_on: date | None = None,
    name: str = "",
) -> ResponsibleTerm:
    """Record the responsible person (一把手) of ``site`` for a term. Refuses a term that
    ends before it starts (400) and one that overlaps another term of the site — two
    responsible persons at once (409). A change of person is ``handover_record``."""
    site = _lock_site(actor, site)
    _check_dates(starts_on, ends_on)
    clash = _overlapping_term(site, starts_on, ends_on)
    if clash is not None:
        raise Conflict(
            _("该阵地在这段时间已有一把手（%(name)s，%(post)s），请办理交接。")
            % {"name": clash.name, "post": clash.post},
            code="two_responsible",
        )
    term = ResponsibleTerm(
        site=site,
        user=user,
        name=(name or user.name).strip()[:50],
        post=(post or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    full_clean_or_raise(term, validate_constraints=False)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as exc:
        raise Conflict(_("该阵地已有在任一把手，请办理交接。"), code="two_responsible") from exc
    _mirror_on_site(site)
    return term


@transaction.atomic
def staff_add(
    *,
    actor,
    site: Site,
    name: str,
    kind: str,
    starts_on: date,
    post: str = "",
    ends_on: date | None = None,
    user=None,
) -> SiteStaff:
    """Record a full-time staff member or propagandist of ``site``."""
    site = _lock_site(actor, site)
    _check_dates(starts_on, ends_on)
    if kind not in StaffKind.values:
        raise ValidationFailed(
            _("人员类别无效。"), code="bad_kind", fields={"kind": [_("人员类别无效。")]}
        )
    staff = SiteStaff(
        site=site,
        user=user,
        name=(name or (user.name if user else "")).strip(),
        kind=kind,
        post=post.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    full_clean_or_raise(staff)
    staff.save()
    return staff


@transaction.atomic
def staff_end(*, actor, staff: SiteStaff, ends_on: date) -> SiteStaff:
    """A staff member leaves the site on ``ends_on`` (without a successor)."""
    _lock_site(actor, staff.site)
    staff = SiteStaff.objects.select_for_update().get(pk=staff.pk)
    _check_dates(staff.starts_on, ends_on)
    staff.ends_on = ends_on
    staff.save(update_fields=["ends_on"])
    return staff


@transaction.atomic
def handover_record(
    *,
    actor,
    site: Site,
    successor,
    on: date,
    kind: str = HandoverKind.RESPONSIBLE,
    post: str = "",
    note: str = "",
    staff: SiteStaff | None = None,
    successor_name: str = "",
) -> Handover:
    """A person hands over to ``successor`` on ``on``: the predecessor's term (or the
    staff post ``staff``) ends the day before, the successor's starts on ``on``, and what
    is open at the site — orders, activities, room bookings, as the recording ``actor``
    sees them through those apps' selectors — is kept on the handover for the successor,
    who is notified. The successor also takes the predecessor's staff role at the site
    (``_hand_over_roles``), so the pages of those open items open for them. Locks the site
    row."""
    site = _lock_site(actor, site)
    if successor is None:
        raise ValidationFailed(
            _("请指定接任人账号。"), code="no_successor", fields={"successor": [_("必填。")]}
        )
    check_window(PLAN, on=on)
    if kind == HandoverKind.RESPONSIBLE:
        old = selectors.current_term(site)
        if old is None:
            old = (
                ResponsibleTerm.objects.filter(site=site, ends_on__isnull=True)
                .order_by("-starts_on")
                .first()
            )
        predecessor = old.user if old else None
        post = (post or (old.post if old else "")).strip()
        if not post:
            raise ValidationFailed(
                _("请填写职务。"), code="no_post", fields={"post": [_("必填。")]}
            )
    elif kind == HandoverKind.STAFF:
        if staff is None or staff.site_id != site.pk:
            raise ValidationFailed(
                _("请指定交接的专职人员。"), code="no_staff", fields={"staff": [_("必填。")]}
            )
        old = SiteStaff.objects.select_for_update().get(pk=staff.pk)
        predecessor = old.user
    else:
        raise ValidationFailed(_("交接类别无效。"), code="bad_kind")
    if predecessor is not None and predecessor.pk == successor.pk:
        raise ValidationFailed(
            _("接任人不能是移交人本人。"),
            code="same_person",
            fields={"successor": [_("接任人不能是移交人本人。")]},
        )
    if old is not None:
        ends = on - timedelta(days=1)
        if ends < old.starts_on:
            raise ValidationFailed(
                _("交接日期必须晚于前任的任期开始日期（%(d)s）。")
                % {"d": old.starts_on.isoformat()},
                code="ends_before_start",
                fields={"on": [_("交接日期早于前任的任期开始日期。")]},
            )
        old.ends_on = ends
        old.save(update_fields=["ends_on"])
    name = (successor_name or successor.name).strip()[:50]
    if kind == HandoverKind.RESPONSIBLE:
        clash = _overlapping_term(site, on, None)
        if clash is not None:
            raise Conflict(
                _("该阵地在交接日期之后已有一把手任期（%(name)s）。") % {"name": clash.name},
                code="two_responsible",
            )
        ResponsibleTerm.objects.create(
            site=site, user=successor, name=name, post=post, starts_on=on, created_by=actor
        )
    else:
        SiteStaff.objects.create(
            site=site, user=successor, name=name, kind=old.kind, post=old.post, starts_on=on
        )
    items = selectors.open_items_at(actor=actor, site=site)
    handover = Handover(
        site=site,
        kind=kind,
        predecessor=predecessor,
        predecessor_name=(old.name if old else ""),
        successor=successor,
        successor_name=name,
        handed_over_on=on,
        note=note,
        open_items=items,
        recorded_by=actor,
    )
    full_clean_or_raise(handover)
    handover.save()
    if on <= timezone.localdate():
        _hand_over_roles(actor=actor, handover=handover, ended=old)
    # Dated ahead: the predecessor keeps the roles until then (``handover_roles_due``).
    if kind == HandoverKind.RESPONSIBLE:
        _mirror_on_site(site)
    from django.urls import reverse

    notify(
        recipients=[successor],
        title=T.HANDOVER_TO_YOU(site=site.name),
        body=T.HANDOVER_TO_YOU_BODY(on=on.isoformat(), post=post or name, n=len(items)),
        link=reverse("governance:handover", args=[handover.pk]),
        kind="governance_handover",
    )
    return handover


# The roles that run a site day to day; a system administrator's role is never handed over.
SITE_ROLES = (Role.STATION_OPERATOR, Role.INSTITUTE_ADMIN, Role.CENTER_ADMIN)


def _still_holds_a_post(user, site: Site, ended, today: date | None = None) -> bool:
    """Whether ``user`` keeps another post at a site of ``site``'s region after handing
    ``ended`` over: a responsible term or a staff post not yet over, or an operator seat at
    another site. Such a person keeps their role there."""
    today = today or timezone.localdate()
    current = Q(site__region_id=site.region_id, user=user) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    terms = ResponsibleTerm.objects.filter(current)
    staff = SiteStaff.objects.filter(current)
    if isinstance(ended, ResponsibleTerm):
        terms = terms.exclude(pk=ended.pk)
    elif isinstance(ended, SiteStaff):
        staff = staff.exclude(pk=ended.pk)
    return (
        terms.exists()
        or staff.exists()
        or user.sites_operated.filter(region_id=site.region_id).exclude(pk=site.pk).exists()
    )


def _hand_over_roles(*, actor, handover: Handover, ended, today: date | None = None) -> None:
    """Give the successor the predecessor's staff roles at the site's region and the
    predecessor's operator seat at the site — what the order, activity and booking pages of
    the handover's open items read — and end the predecessor's, unless they still hold
    another post in that region. Roles have no start date: this runs on the handover's
    date (at recording, or by the worker for a handover dated ahead) and stamps
    ``roles_moved_at``. Audited (``governance_handover_roles``)."""
    site, predecessor, successor = handover.site, handover.predecessor, handover.successor
    handover.roles_moved_at = timezone.now()
    Handover.objects.filter(pk=handover.pk).update(roles_moved_at=handover.roles_moved_at)
    if predecessor is None or successor is None:
        return
    roles = sorted(
        RoleAssignment.objects.filter(
            user=predecessor, region_id=site.region_id, role__in=SITE_ROLES
        ).values_list("role", flat=True)
    )
    operator = site.operators.filter(pk=predecessor.pk).exists()
    if not roles and not operator:
        return
    for role in roles:
        role_grant(user=successor, role=role, region=site.region)
    if operator:
        site.operators.add(successor)
        site.operators.remove(predecessor)
    keeps = _still_holds_a_post(predecessor, site, ended, today)
    if not keeps:
        for role in roles:
            role_revoke(user=predecessor, role=role, region=site.region)
    audit_record(
        action="governance_handover_roles",
        actor=actor,
        obj=handover,
        detail={
            "site": site.pk,
            "region": site.region_id,
            "roles": roles,
            "operator": operator,
            "successor": successor.pk,
            "predecessor": predecessor.pk,
            "predecessor_keeps_roles": keeps,
        },
    )


def handover_roles_due(*, today: date | None = None) -> int:
    """Move the site roles of each handover whose date has come and whose roles have not
    moved yet (recorded ahead of its date), each in its own transaction, the row locked
    and skipped when another worker holds it, so none moves twice. Run by the worker.
    Returns how many moved."""
    today = today or timezone.localdate()
    moved = 0
    due = Handover.objects.filter(roles_moved_at__isnull=True, handed_over_on__lte=today)
    for pk in due.order_by("handed_over_on", "pk").values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            handover = (
                Handover.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("site", "predecessor", "successor", "recorded_by")
                .filter(pk=pk, roles_moved_at__isnull=True)
                .first()
            )
            if handover is None:
                continue
            # The predecessor's post ended the day before the handover, so it no longer
            # counts as one they keep; nothing else to exclude.
            _hand_over_roles(actor=handover.recorded_by, handover=handover, ended=None, today=today)
            moved += 1
    return moved


@transaction.atomic
def gap_notices_refresh(*, now=None) -> dict:
    """Flag each new gap of a governed site (no responsible person in office, no staff)
    to the level above — the staff answering for its parent site — once; forget gaps that
    closed so a reopened gap is flagged again. Run by the worker."""
    from django.urls import reverse

    from xinfeng.places.selectors import site_staff_users

    from ..choices import Gap
    from ..models import SiteGapNotice

    now = now or timezone.now()
    current = {(s.pk, g): s for s, gaps in selectors.all_gaps() for g in gaps}
    known = set(SiteGapNotice.objects.values_list("site_id", "gap"))
    closed = known - set(current)
    for site_id, gap in closed:
        SiteGapNotice.objects.filter(site_id=site_id, gap=gap).delete()
    new = [k for k in current if k not in known]
    SiteGapNotice.objects.bulk_create(
        [SiteGapNotice(site_id=sid, gap=g, notified_at=now) for sid, g in new],
        ignore_conflicts=True,
    )
    by_site: dict[int, list[str]] = {}
    for sid, g in new:
        by_site.setdefault(sid, []).append(g)
    for sid, gaps in by_site.items():
        site = current[(sid, gaps[0])]
        above = site.parent if site.parent_id else site
        recipients = site_staff_users(above)
        if not recipients:
            continue
        notify(
            recipients=recipients,
            title=T.SITE_GAP(site=site.name),
            body=T.SITE_GAP_BODY[tuple(g for g in Gap.values if g in gaps)](site=site.name),
            link=reverse("governance:gaps"),
            kind="governance_gap",
        )
    return {"new": len(new), "closed": len(closed)}
