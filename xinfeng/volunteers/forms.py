"""Page forms. They collect and type the input; every rule is checked by the services
(the same ones the API calls), whose refusals are shown on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.core.validation import BIRTH, RECORD, window_validator
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.regions.pickers import SearchPicker
from xinfeng.volunteers.choices import (
    Gender,
    IdType,
    MembershipRole,
    PoliticalStatus,
    ServiceCategory,
    TeamType,
)
from xinfeng.volunteers.models import Team
from xinfeng.volunteers.pickers import NOT_IN_SCOPE, region_picker, site_picker, team_picker
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


IN_RECORD = window_validator(RECORD)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def site_field(label, **kwargs):
    """A site of the staff scope, picked by searching (a province has ~100,000)."""
    return forms.ModelChoiceField(
        label=label,
        queryset=Site.objects.none(),
        widget=site_picker(),
        error_messages={"invalid_choice": NOT_IN_SCOPE["site"]},
        **kwargs,
    )


def region_field(label, **kwargs):
    """A region of the staff scope, picked by searching (a province has ~20,000)."""
    return forms.ModelChoiceField(
        label=label,
        queryset=Region.objects.none(),
        widget=region_picker(),
        error_messages={"invalid_choice": NOT_IN_SCOPE["region"]},
        **kwargs,
    )


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = obj.parent.name if obj.parent_id else ""
        return f"{parent} · {obj.display_name}" if parent else obj.display_name


def region_choices(qs=None):
    """Regions people live in: county and below (depth ≥ 2 in the demo's province tree)."""
    qs = qs if qs is not None else Region.objects.all()
    return qs.order_by("path")


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        help_text=_("仅用于实名核验，加密保存，页面上只显示志愿者编号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", _("（按身份证）")), *Gender.choices], required=False
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=DateInput(),
        validators=[window_validator(BIRTH)],
        help_text=_("持居民身份证的可不填，自动从号码读取。"),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    home_region = VillageChoiceField(
        label=_("所属村（社区）"),
        queryset=Region.objects.none(),
        # A search box, not a select of every village (a province has ~100,000).
        widget=SearchPicker(
            kind="regions", params={"scope": "public", "levels": "village,natural_village"}
        ),
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES
    )
    skills = forms.CharField(
        label=_("技能特长"), max_length=300, required=False, help_text=_("多项用顿号或逗号分隔。")
    )
    service_regions = forms.ModelMultipleChoiceField(
        label=_("愿意服务的区域"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.CharField(label=_("可服务时间"), max_length=200, required=False)
    emergency_contact_name = forms.CharField(label=_("紧急联系人"), max_length=50, required=False)
    emergency_contact_phone = forms.CharField(
        label=_("紧急联系人电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    guardian_name = forms.CharField(
        label=_("监护人姓名"),
        max_length=50,
        required=False,
        help_text=_("未满 14 周岁须由监护人填写并同意。"),
    )
    guardian_phone = forms.CharField(
        label=_("监护人电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    guardian_consent = forms.BooleanField(label=_("监护人同意其参加志愿服务"), required=False)
    privacy = forms.BooleanField(label=_("我已阅读并同意《志愿者个人信息保护声明》"), required=True)
    location_consent = forms.BooleanField(
        label=_("同意在签到时使用我的位置（可随时撤回）"), required=False
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        # People live in a village or community; they offer to serve in townships.
        home = region_choices(regions).filter(
            level__in=[RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE]
        )
        self.fields["home_region"].queryset = home.select_related("parent")
        if regions is not None:  # staff register people of their own area only
            self.fields["home_region"].widget.params["scope"] = "staff"
        self.fields["service_regions"].queryset = region_choices(regions).filter(
            level=RegionLevel.TOWNSHIP
        )

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "id_type": d["id_type"],
            "id_number": d["id_number"],
            "phone": d["phone"],
            "home_region": d["home_region"],
            "birth_date": d.get("birth_date"),
            "gender": d.get("gender") or "",
            "political_status": d["political_status"],
            "skills": d.get("skills") or "",
            "availability": d.get("availability") or "",
            "emergency_contact_name": d.get("emergency_contact_name") or "",
            "emergency_contact_phone": d.get("emergency_contact_phone") or "",
            "guardian_name": d.get("guardian_name") or "",
            "guardian_phone": d.get("guardian_phone") or "",
            "guardian_consent": bool(d.get("guardian_consent")),
            "privacy_notice_version": PRIVACY_NOTICE_VERSION if d.get("privacy") else "",
            "location_consent": bool(d.get("location_consent")),
            "service_regions": list(d.get("service_regions") or []),
        }


class SelfRegistrationForm(RegistrationForm):
    """Registration by the signed-in person themselves (a visitor signs up first)."""


class StaffRegistrationForm(RegistrationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy"].label = _("本人已签署《志愿者个人信息保护声明》（纸质或电子）")
        self.fields["location_consent"].label = _("本人同意签到时使用位置")


class ProfileForm(forms.Form):
    phone = forms.CharField(
        label=_("新手机号"), max_length=20, required=False, help_text=_("留空则不修改。")
    )
    skills = forms.CharField(label=_("技能特长"), max_length=300, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=200, required=False)
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=PoliticalStatus.choices)
    emergency_contact_name = forms.CharField(label=_("紧急联系人"), max_length=50, required=False)
    emergency_contact_phone = forms.CharField(
        label=_("紧急联系人电话（新）"),
        max_length=20,
        required=False,
        help_text=_("留空则不修改。"),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队伍名称"), max_length=120)
    team_type = forms.ChoiceField(label=_("队伍类型"), choices=TeamType.choices)
    home_site = site_field(_("所属阵地"))
    parent = forms.ModelChoiceField(
        label=_("上级队伍"),
        queryset=Team.objects.none(),
        required=False,
        widget=team_picker(),
        error_messages={"invalid_choice": NOT_IN_SCOPE["team"]},
    )
    service_categories = forms.MultipleChoiceField(
        label=_("服务类别"),
        choices=ServiceCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(label=_("同时承接单数"), min_value=1, max_value=1000, initial=3)
    standby_24h = forms.BooleanField(label=_("24 小时待命"), required=False)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)

    def __init__(self, *args, sites, teams, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_site"].queryset = sites
        if team is not None:  # a team is not its own parent
            teams = teams.exclude(pk=team.pk)
            self.fields["parent"].widget.params["exclude"] = team.pk
        self.fields["parent"].queryset = teams


class LeaderTeamForm(forms.Form):
    """What a team's leader may change: the service details."""

    service_categories = forms.MultipleChoiceField(
        label=_("服务类别"),
        choices=ServiceCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(label=_("同时承接单数"), min_value=1, max_value=1000)
    standby_24h = forms.BooleanField(label=_("24 小时待命"), required=False)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BackfillForm(forms.Form):
    region = region_field(_("服务区划"))
    started_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT],
        validators=[window_validator(RECORD)],
    )
    ended_at = forms.DateTimeField(
        label=_("结束时间"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT],
        validators=[window_validator(RECORD)],
    )
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text=_("不含路途时间；留空按开始到结束计算。"),
    )
    description = forms.CharField(label=_("服务内容"), max_length=200)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(regions)


class CorrectForm(forms.Form):
    hours = forms.DecimalField(label=_("更正后的时长（小时）"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("更正原因"), max_length=200)


class CertificateForm(forms.Form):
    issuer_site = site_field(_("出具单位"))
    period_start = forms.DateField(
        label=_("起始日期"), required=False, widget=DateInput(), validators=[IN_RECORD]
    )
    period_end = forms.DateField(
        label=_("截止日期"), required=False, widget=DateInput(), validators=[IN_RECORD]
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_site"].queryset = sites


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class GuardianForm(forms.Form):
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50)
    guardian_phone = forms.CharField(label=_("监护人电话"), max_length=20)


class ImportForm(forms.Form):
    region = region_field(_("导入到区划"))
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(regions)


class RewardForm(forms.Form):
    site = site_field(_("兑换点"))
    name = forms.CharField(label=_("物品名称"), max_length=100)
    points_cost = forms.IntegerField(label=_("所需积分"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("库存"), min_value=0, max_value=1_000_000, initial=0)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class AddMemberForm(forms.Form):
    volunteer_number = forms.CharField(label=_("志愿者编号"), max_length=20)
    role = forms.ChoiceField(label=_("角色"), choices=MembershipRole.choices)
