"""Page forms of emergency mode (the services check every rule again)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.scope import scope_paths
from xinfeng.core.validation import PLAN, window_validator
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team

from .choices import EmergencySkill, IncidentKind, IncidentLevel
from .policy import DECLARE_ROLES

AREA_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
MAX_REGION_CHOICES = 400


def regions_for(user, roles=DECLARE_ROLES):
    """The regions (county, township, village) in the user's scope for ``roles``."""
    qs = Region.objects.filter(level__in=AREA_LEVELS).order_by("path")
    paths = scope_paths(user, roles)
    if paths is None:
        return qs[:MAX_REGION_CHOICES]
    if not paths:
        return qs.none()
    return qs.filter(subtree_q(paths))[:MAX_REGION_CHOICES]


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("— " * max(0, obj.depth - 2)) + obj.name


class RegionMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return ("— " * max(0, obj.depth - 2)) + obj.name


class DeclareForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=IncidentKind.choices)
    level = forms.TypedChoiceField(label=_("响应级别"), choices=IncidentLevel.choices, coerce=int)
    region = RegionChoiceField(label=_("响应区划"), queryset=Region.objects.none())
    affected_regions = RegionMultipleField(
        label=_("受影响区划"),
        queryset=Region.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    is_exercise = forms.BooleanField(label=_("这是演练"), required=False)
    description = forms.CharField(
        label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = regions_for(user)
        ids = list(qs.values_list("pk", flat=True))
        self.fields["region"].queryset = Region.objects.filter(pk__in=ids).order_by("path")
        self.fields["affected_regions"].queryset = Region.objects.filter(pk__in=ids).order_by(
            "path"
        )


class CalloutForm(forms.Form):
    title = forms.CharField(label=_("召集事由"), max_length=120)
    message = forms.CharField(label=_("说明"), max_length=300, required=False)
    teams = forms.ModelMultipleChoiceField(
        label=_("队伍"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    skills = forms.MultipleChoiceField(
        label=_("应急技能"),
        choices=EmergencySkill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = RegionMultipleField(
        label=_("区域（默认受影响区划）"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    standby_only = forms.BooleanField(label=_("只召集正在备勤的人员"), required=False)
    within_km = forms.FloatField(label=_("距离不超过（公里）"), required=False, min_value=0.1)
    include_returnees = forms.BooleanField(
        label=_("包括家乡在受灾区的返乡志愿者"), required=False, initial=True
    )
    risky = forms.BooleanField(
        label=_("有危险的任务（不召集未成年人）"), required=False, initial=True
    )
    wave = forms.IntegerField(label=_("首批人数（空=全部）"), required=False, min_value=1)
    escalate_after_minutes = forms.IntegerField(
        label=_("未答复多少分钟后升级"), initial=15, min_value=1, max_value=1440
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams_for(incident)
        self.fields["regions"].queryset = Region.objects.filter(
            subtree_q([incident.region.path]), level__in=AREA_LEVELS
        ).order_by("path")


def teams_for(incident):
    """Teams that may be called for ``incident``: active teams in its region or in the
    regions above it (a city rescue team serves a township's flood)."""
    path = incident.region.path
    above = [path[:i] for i in range(8, len(path), 8)]
    return Team.objects.filter(
        Q(region__path__in=above) | subtree_q([path], "region__path"), is_active=True
    ).order_by("-standby_24h", "name")


class NeedForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=120)
    region = RegionChoiceField(label=_("地点区划"), queryset=Region.objects.none())
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    places = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=10000)
    risky = forms.BooleanField(label=_("有危险的任务"), required=False)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(
            subtree_q([incident.region.path]), level__in=AREA_LEVELS
        ).order_by("path")


class StationForm(forms.Form):
    name = forms.CharField(label=_("分站名称"), max_length=120)
    region = RegionChoiceField(label=_("所在区划"), queryset=Region.objects.none())
    address = forms.CharField(label=_("地址（安置点）"), max_length=255, required=False)
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(
            subtree_q([incident.region.path]), level__in=AREA_LEVELS
        ).order_by("path")


class ServiceForm(forms.Form):
    title = forms.CharField(label=_("服务名称"), max_length=120)
    category = forms.ChoiceField(label=_("类别"), choices=ServiceCategory.choices)
    starts_at = forms.DateTimeField(
        label=_("开始"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[window_validator(PLAN)],
    )
    ends_at = forms.DateTimeField(
        label=_("结束"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[window_validator(PLAN)],
    )
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)


class StationProjectForm(forms.Form):
    name = forms.CharField(label=_("可点单服务"), max_length=120)
    category = forms.ChoiceField(label=_("类别"), choices=ServiceCategory.choices)
    summary = forms.CharField(label=_("一句话介绍"), max_length=200, required=False)


class StaffCheckForm(forms.Form):
    number = forms.CharField(label=_("志愿者编号"), max_length=20)


class SitrepForm(forms.Form):
    text = forms.CharField(
        label=_("情况说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )


class NoticeForm(forms.Form):
    headline = forms.CharField(label=_("标题"), max_length=160)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    instruction = forms.CharField(
        label=_("应对建议"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("响应级别"), choices=IncidentLevel.choices, coerce=int)


class ShiftForm(forms.Form):
    name = forms.CharField(label=_("班次"), max_length=60)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("星期"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (0, _("周一")),
            (1, _("周二")),
            (2, _("周三")),
            (3, _("周四")),
            (4, _("周五")),
            (5, _("周六")),
            (6, _("周日")),
        ],
    )
    start_time = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    members = forms.ModelMultipleChoiceField(
        label=_("备勤人员"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, team, **kwargs):
        from xinfeng.volunteers.models import Volunteer

        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Volunteer.objects.filter(
            memberships__team=team, memberships__status="active"
        ).order_by("name")


class ProfileForm(forms.Form):
    skills = forms.MultipleChoiceField(
        label=_("应急技能"),
        choices=EmergencySkill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_village = RegionChoiceField(
        label=_("家乡村（社区）"),
        required=False,
        queryset=Region.objects.filter(level=RegionLevel.VILLAGE).order_by("path"),
    )


class UnavailabilityForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("开始"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[window_validator(PLAN)],
    )
    ends_at = forms.DateTimeField(
        label=_("结束"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[window_validator(PLAN)],
    )
    reason = forms.CharField(label=_("原因"), max_length=100, required=False)
