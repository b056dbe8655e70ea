"""Forms of the activity pages. They only collect and check input; every write goes
through ``activities.services``, the same functions the API calls."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Venue
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team

from .choices import Eligibility, Mode, NewsKind

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _dt(label):
    return forms.DateTimeField(
        label=label, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"], widget=DateTimeLocalInput()
    )


class ActivityForm(forms.Form):
    site = forms.ModelChoiceField(label=_("主办阵地"), queryset=None)
    title = forms.CharField(label=_("活动名称"), max_length=120)
    category = forms.ChoiceField(label=_("活动类别"), choices=ServiceCategory.choices)
    starts_at = _dt(_("开始时间"))
    ends_at = _dt(_("结束时间"))
    capacity = forms.IntegerField(label=_("名额"), max_value=100000)
    venue = forms.ModelChoiceField(
        label=_("场所"),
        queryset=Venue.objects.none(),
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
    team = forms.ModelChoiceField(label=_("指定队伍"), queryset=Team.objects.none(), required=False)
    project = forms.ModelChoiceField(label=_("所属服务项目"), queryset=None, required=False)
    stream_url = forms.URLField(
        label=_("直播地址"), required=False, max_length=200, assume_scheme="https"
    )
    replay_url = forms.URLField(
        label=_("回放地址"), required=False, max_length=200, assume_scheme="https"
    )
    is_cloud_lecture = forms.BooleanField(label=_("云讲堂"), required=False)
    description = forms.CharField(
        label=_("活动介绍"), required=False, widget=forms.Textarea, max_length=5000
    )
    cover = forms.ImageField(label=_("封面图"), required=False)

    def __init__(self, *args, sites, venues, teams, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["venue"].queryset = venues
        self.fields["team"].queryset = teams
        self.fields["project"].queryset = projects

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
        label=_("志愿服务队"), queryset=Team.objects.none(), required=False
    )
    starts_at = _dt(_("开始时间"))
    ends_at = _dt(_("结束时间"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ReportForm(forms.Form):
    summary = forms.CharField(label=_("摘要"), max_length=300, required=False)
    body = forms.CharField(label=_("活动总结"), widget=forms.Textarea, max_length=20000)
    photo = forms.ImageField(label=_("添加照片"), required=False)
    caption = forms.CharField(label=_("照片说明"), max_length=120, required=False)


class NewsForm(forms.Form):
    site = forms.ModelChoiceField(label=_("发布阵地"), queryset=None)
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
