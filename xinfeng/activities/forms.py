"""Forms of the activity pages. They only collect and check input; every write goes
through ``activities.services``, the same functions the API calls."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import restrict
from xinfeng.core.validation import PLAN, window_validator
from xinfeng.places.models import Site, Venue
from xinfeng.places.selectors import sites_managed_by
from xinfeng.projects.models import Project
from xinfeng.regions.pickers import KINDS, Kind, SearchPicker
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team
from xinfeng.volunteers.pickers import (
    NOT_IN_SCOPE,
    parent_team_candidates,
    site_picker,
    team_picker,
)

from .choices import Eligibility, Mode, NewsKind
from .policy import has_started, start_problem

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _dt(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=DateTimeLocalInput(),
        validators=[window_validator(PLAN)],
    )


# A city or province admin manages ~100,000 sites, ~12,000 teams and thousands of projects
# and rooms: these fields are search pickers (htmx), never selects of whole tables. Each
# queryset below is both what the form accepts and what its endpoint searches; sites and
# teams use the volunteers endpoints (same scopes), projects and rooms ours
# (``/activities/manage/pick/projects|venues/``).
NOT_IN_SCOPE_PROJECT = _("请从搜索结果中选择服务项目：所选项目不存在或不在您的管理范围内。")
NOT_IN_SCOPE_VENUE = _("请从搜索结果中选择场所：所选场所不存在、已停用或不在您的管理范围内。")


def organiser_projects(user) -> QuerySet:
    """Projects of the user's staff scope (an activity may belong to one)."""
    return restrict(Project.objects.select_related("site"), user, roles=STAFF_ROLES)


def organiser_venues(user) -> QuerySet:
    """Active rooms of the sites the user manages."""
    return Venue.objects.filter(
        site__in=sites_managed_by(user=user).values("pk"), is_active=True
    ).select_related("site")


def _by_name(qs: QuerySet, q: str) -> QuerySet:
    return qs.filter(Q(name__icontains=q) | Q(site__name__icontains=q))


KINDS.setdefault(
    "projects",
    Kind(lambda p: f"{p.name}（{p.site.name}）", _by_name, lambda: ("name", "id"), ("site",)),
)
KINDS.setdefault(
    "venues",
    Kind(
        lambda v: f"{v.name}（{v.site.name}）",
        _by_name,
        lambda: ("site__name", "name", "id"),
        ("site",),
    ),
)


def _picked(label, qs, widget, message, **kwargs):
    return forms.ModelChoiceField(
        label=label,
        queryset=qs,
        widget=widget,
        error_messages={"invalid_choice": message},
        **kwargs,
    )


def _keep(qs: QuerySet, pk) -> QuerySet:
    """``qs`` plus the current value when editing (set before the scope changed)."""
    return qs | qs.model.objects.filter(pk=pk) if pk else qs


class ActivityForm(forms.Form):
    site = _picked(_("主办阵地"), Site.objects.none(), site_picker(), NOT_IN_SCOPE["site"])
    title = forms.CharField(label=_("活动名称"), max_length=120)
    category = forms.ChoiceField(label=_("活动类别"), choices=ServiceCategory.choices)
    starts_at = _dt(_("开始时间"))
    ends_at = _dt(_("结束时间"))
    capacity = forms.IntegerField(label=_("名额"), max_value=100000)
    venue = _picked(
        _("场所"),
        Venue.objects.none(),
        SearchPicker(kind="venues", url_name="activities:pick_venues"),
        NOT_IN_SCOPE_VENUE,
        required=False,
        help_text=_("选择场所会同时预约该场所；户外活动请留空并填写地址与坐标。"),
    )
    address = forms.CharField(label=_("户外地址"), max_length=255, required=False)
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    mode = forms.ChoiceField(label=_("形式"), choices=Mode.choices, initial=Mode.OFFLINE)
    eligibility = forms.ChoiceField(
        label=_("报名对象"), choices=Eligibility.choices, initial=Eligibility.EVERYONE
    )
    team = _picked(
        _("指定队伍"), Team.objects.none(), team_picker(), NOT_IN_SCOPE["team"], required=False
    )
    project = _picked(
        _("所属服务项目"),
        Project.objects.none(),
        SearchPicker(kind="projects", url_name="activities:pick_projects"),
        NOT_IN_SCOPE_PROJECT,
        required=False,
    )
    stream_url = forms.URLField(
        label=_("直播地址"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("直播平台提供的 HLS 地址（.m3u8）或视频文件地址，活动页内直接播放。"),
    )
    replay_url = forms.URLField(
        label=_("回放地址"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("不填时，活动结束后以直播地址作为回放。"),
    )
    is_cloud_lecture = forms.BooleanField(label=_("云讲堂"), required=False)
    description = forms.CharField(
        label=_("活动介绍"), required=False, widget=forms.Textarea, max_length=5000
    )
    cover = forms.ImageField(label=_("封面图"), required=False)

    def __init__(self, *args, user, activity=None, **kwargs):
        """The choices are ``user``'s staff scope; editing ``activity`` keeps its current
        team, project and room and shows its site, which cannot change, as plain text."""
        super().__init__(*args, **kwargs)
        f = self.fields
        f["site"].queryset = sites_managed_by(user=user)
        f["venue"].queryset = organiser_venues(user)
        f["team"].queryset = parent_team_candidates(user)
        f["project"].queryset = organiser_projects(user)
        self.activity = activity
        if activity is None or not has_started(activity):
            # The phone's date picker offers no past start (the rule is start_problem).
            now = timezone.localtime().strftime(DATETIME_FORMAT)
            f["starts_at"].widget.attrs["min"] = now
            f["ends_at"].widget.attrs["min"] = now
        if activity is not None:
            f["site"].widget = forms.Select()
            f["site"].queryset = Site.objects.filter(pk=activity.site_id)
            f["site"].disabled = True
            for name in ("venue", "team", "project"):
                f[name].queryset = _keep(f[name].queryset, getattr(activity, f"{name}_id"))

    def clean_starts_at(self):
        """A start already past is refused here, at the field, when it is being set (a new
        activity or a changed start), not later when the activity cannot be published."""
        value = self.cleaned_data.get("starts_at")
        if self.activity is not None and value == self.activity.starts_at:
            return value
        problem = start_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="start_in_past")
        return value

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("cover"):
            data.pop("cover", None)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class HeadcountForm(forms.Form):
    headcount = forms.IntegerField(label=_("未签到现场人数"), min_value=0, max_value=1_000_000)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6 位签到码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class BookingForm(forms.Form):
    title = forms.CharField(label=_("用途"), max_length=120)
    organisation = forms.CharField(label=_("使用团体"), max_length=100, required=False)
    team = forms.ModelChoiceField(
        label=_("志愿服务队"),
        queryset=Team.objects.none(),
        required=False,
        error_messages={"invalid_choice": NOT_IN_SCOPE["team"]},
    )
    starts_at = _dt(_("开始时间"))
    ends_at = _dt(_("结束时间"))

    def __init__(self, *args, teams, search=False, **kwargs):
        """``search``: ``teams`` may be large (staff: the teams of their scope and above,
        as ``/volunteers/pick/teams/``), so pick by searching; a leader's own teams are few."""
        super().__init__(*args, **kwargs)
        if search:
            self.fields["team"].widget = team_picker()
        self.fields["team"].queryset = teams


class ReportForm(forms.Form):
    summary = forms.CharField(label=_("摘要"), max_length=300, required=False)
    body = forms.CharField(label=_("活动总结"), widget=forms.Textarea, max_length=20000)
    photo = forms.ImageField(label=_("添加照片"), required=False)
    caption = forms.CharField(label=_("照片说明"), max_length=120, required=False)


class NewsForm(forms.Form):
    site = _picked(_("发布阵地"), Site.objects.none(), site_picker(), NOT_IN_SCOPE["site"])
    kind = forms.ChoiceField(label=_("类型"), choices=NewsKind.choices)
    title = forms.CharField(label=_("标题"), max_length=150)
    summary = forms.CharField(label=_("摘要"), max_length=300, required=False)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea, max_length=20000)
    cover = forms.ImageField(label=_("封面图"), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class SiteSettingsForm(forms.Form):
    requires_review = forms.BooleanField(label=_("发布前需上级审核"), required=False)
    geofence_radius_m = forms.IntegerField(
        label=_("定位签到半径（米）"), min_value=20, max_value=5000
    )
    checkin_opens_minutes = forms.IntegerField(
        label=_("开始前多少分钟可签到"), min_value=0, max_value=1440
    )
