"""Governance of the network: who answers for each site (一把手负责制) and who runs it
(专职人员/宣传员), the handover when a person changes, the leading groups (工作领导小组) of
each level with their meetings and decisions, and the gaps flagged to the level above."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from .choices import Department, Gap, GroupRole, HandoverKind, StaffKind


class ResponsibleTerm(models.Model):
    """A person's term as the responsible person (一把手) of a center, institute or
    station: the Party secretary of its level. ``ends_on`` empty = still in office; at most
    one open term per site (constraint), and terms of one site never overlap (service)."""

    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="responsible_terms"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="responsible_terms",
    )
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=80, help_text=_("如“村党支部书记”。"))
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期结束"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("一把手任期")
        verbose_name_plural = _("一把手任期")
        ordering = ["site_id", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="responsible_term_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["site"],
                condition=Q(ends_on__isnull=True),
                name="one_open_responsible_term_per_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.post} {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("任期结束日期不能早于开始日期。")})


class SiteStaff(models.Model):
    """A full-time staff member (专职人员) or Party-building propagandist (专职党建宣传员)
    of a site, for a period. Only a name and an account are kept: a contact goes through
    the site's phone, never a private number."""

    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="governance_staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="site_staff_posts",
    )
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=20, choices=StaffKind.choices)
    post = models.CharField(_("岗位"), max_length=80, blank=True)
    starts_on = models.DateField(_("到岗日期"))
    ends_on = models.DateField(_("离岗日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专职人员")
        verbose_name_plural = _("专职人员")
        ordering = ["site_id", "kind", "name", "id"]
        indexes = [models.Index(fields=["site", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="site_staff_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.get_kind_display()} {self.name}"


class Handover(models.Model):
    """The handover when the responsible person or a staff member of a site changes: who
    handed over to whom, when, and what was open at the site at that moment (orders,
    activities, room bookings — a snapshot read through those apps' selectors), listed
    for the successor."""

    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="handovers"
    )
    kind = models.CharField(_("交接类别"), max_length=20, choices=HandoverKind.choices)
    predecessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handovers_given",
    )
    predecessor_name = models.CharField(_("移交人姓名"), max_length=50, blank=True)
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handovers_taken",
    )
    successor_name = models.CharField(_("接任人姓名"), max_length=50)
    handed_over_on = models.DateField(_("交接日期"))
    note = models.TextField(_("交接说明"), blank=True)
    # [{"kind": "order"|"activity"|"booking", "id": …, "title": …, "state": …, "when": …}]
    open_items = models.JSONField(_("未结事项"), default=list, blank=True)
    # When the predecessor's site roles moved to the successor: at recording for a handover
    # dated today or earlier, on its date (the worker) for one dated ahead; null until then.
    roles_moved_at = models.DateTimeField(_("岗位权限移交时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作交接")
        verbose_name_plural = _("工作交接")
        ordering = ["-handed_over_on", "-id"]

    def __str__(self) -> str:
        return f"{self.site} {self.handed_over_on}: {self.predecessor_name} → {self.successor_name}"


class SiteGapNotice(models.Model):
    """A gap of a site (no responsible person in office, no staff) already flagged to the
    level above, so the worker notifies once per gap; the row goes when the gap closes."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    gap = models.CharField(max_length=20, choices=Gap.choices)
    notified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("阵地缺岗提醒")
        verbose_name_plural = _("阵地缺岗提醒")
        constraints = [models.UniqueConstraint(fields=["site", "gap"], name="one_notice_per_gap")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.gap}"


class LeadingGroup(models.Model):
    """The work leading group (工作领导小组) a level sets up for its civilization practice
    work: one per region (city, township, village)."""

    region = models.OneToOneField(
        Region, verbose_name=_("区划"), on_delete=models.CASCADE, related_name="leading_group"
    )
    name = models.CharField(_("名称"), max_length=120)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    duties = models.TextField(_("职责"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作领导小组")
        verbose_name_plural = _("工作领导小组")
        ordering = ["region__path", "id"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A member of a leading group: an account or a named person, with unit and post, the
    role in the group and the department the member represents (if any)."""

    group = models.ForeignKey(
        LeadingGroup, verbose_name=_("领导小组"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("单位"), max_length=120)
    post = models.CharField(_("职务"), max_length=80)
    role = models.CharField(
        _("小组职务"), max_length=10, choices=GroupRole.choices, default=GroupRole.MEMBER
    )
    department = models.CharField(
        _("代表部门"), max_length=32, choices=Department.choices, blank=True
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["group_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="leader"), name="one_leader_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class Meeting(models.Model):
    """A meeting of a leading group, with its minutes."""

    group = models.ForeignKey(
        LeadingGroup, verbose_name=_("领导小组"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    minutes = models.TextField(_("会议纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("领导小组会议")
        verbose_name_plural = _("领导小组会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Decision(models.Model):
    """A decision taken at a meeting; it may be turned into a work-plan task
    (``task_id``: the id of the ``workplans`` task made from it)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("决定事项"))
    task_id = models.BigIntegerField(_("转化的任务"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议决定")
        verbose_name_plural = _("会议决定")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.text[:40]
