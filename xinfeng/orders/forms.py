"""Page forms of the order workflow. They only shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.core.validation import PLAN, window_validator
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.regions.pickers import SearchPicker
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.pickers import site_picker

from .choices import OrderChannel, RatingDimension, RatingLevel

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
IN_PLAN = window_validator(PLAN)


# Orders are placed in a village/community (or a natural village below it); a province has
# ~20,000 of them, so the place is picked by searching, never from a select.
VILLAGE_LEVELS = (RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE)
LEVELS_PARAM = ",".join(VILLAGE_LEVELS)


def villages(regions=None):
    """Places an order may be for: the villages (and natural villages) of ``regions``."""
    qs = Region.objects.all() if regions is None else regions
    return qs.filter(level__in=VILLAGE_LEVELS)


class OrderForm(forms.Form):
    """点单: a project from the menu or a need in free text; where; when."""

    project = forms.TypedChoiceField(
        label=_("服务项目"), required=False, coerce=int, empty_value=None
    )
    title = forms.CharField(
        label=_("需求"),
        max_length=120,
        required=False,
        help_text=_("不选项目时必填，如“屋顶漏水需要帮忙”。"),
    )
    category = forms.ChoiceField(
        label=_("服务类别"),
        required=False,
        choices=[("", _("不确定"))] + list(ServiceCategory.choices),
    )
    description = forms.CharField(
        label=_("详细说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    region = forms.ModelChoiceField(
        label=_("所在村（社区）"),
        queryset=villages(),
        # Village names are public (``scope=public``): a resident may order anywhere.
        widget=SearchPicker(kind="regions", params={"scope": "public", "levels": LEVELS_PARAM}),
        help_text=_("输入村（社区）名称搜索，再点选。"),
        error_messages={"invalid_choice": _("请从搜索结果中选择所在村（社区）。")},
    )
    address = forms.CharField(label=_("详细地址"), max_length=255, required=False)
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    beneficiary_age = forms.IntegerField(
        label=_("服务对象年龄"),
        required=False,
        min_value=0,
        max_value=150,
        help_text=_("项目限定服务对象（如老年人、少年儿童）时必填。"),
    )
    wanted_from = forms.DateTimeField(
        label=_("希望服务时间"), required=False, widget=LOCAL, validators=[IN_PLAN]
    )
    wanted_until = forms.DateTimeField(
        label=_("最晚到"), required=False, widget=LOCAL, validators=[IN_PLAN]
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("不选项目，直接描述需求"))] + [
            (p.pk, f"{p.name}（{p.get_category_display()}）") for p in projects
        ]


class StaffOrderForm(OrderForm):
    """Staff: order for a resident (phone/kiosk) or create and push down (制单)."""

    channel = forms.ChoiceField(
        label=_("方式"),
        choices=[(OrderChannel.PROXY, _("代群众点单")), (OrderChannel.SITE, _("阵地制单"))],
    )
    site = forms.ModelChoiceField(
        label=_("制单阵地"),
        required=False,
        queryset=Site.objects.none(),
        widget=site_picker(),
        error_messages={
            "invalid_choice": _("请从搜索结果中选择阵地：所选阵地不在您的管理范围内。")
        },
    )
    open_for_grab = forms.BooleanField(label=_("开放抢单"), required=False)

    def __init__(self, *args, sites, regions, **kwargs):
        """``sites`` and ``regions``: the staff member's scope (what the pickers search)."""
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        region = self.fields["region"]
        region.queryset = villages(regions)
        region.widget.params["scope"] = "staff"
        region.error_messages["invalid_choice"] = _(
            "请从搜索结果中选择所在村（社区）：所选区划不在您的管理范围内。"
        )
        self.order_fields(["channel", "site", "open_for_grab"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, required=False)


class RateForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("总体评价"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("说点什么"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for dim, label in RatingDimension.choices:
            self.fields[f"dim_{dim}"] = forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—")] + list(RatingLevel.choices),
            )

    def dimensions(self) -> dict:
        return {
            dim: self.cleaned_data[f"dim_{dim}"]
            for dim in RatingDimension.values
            if self.cleaned_data.get(f"dim_{dim}")
        }


class CompleteForm(forms.Form):
    report = forms.CharField(
        label=_("服务报告"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    people_served = forms.IntegerField(label=_("服务人数"), required=False, min_value=0)


class FollowUpForm(forms.Form):
    outcome = forms.CharField(
        label=_("回访结果"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    resolved = forms.BooleanField(label=_("问题已解决"), required=False)


class CareOrderForm(forms.Form):
    """长辈模式 点单 (orders.views_care): the project chosen from the tiles, the village
    (home village preselected), the phone (prefilled); the age only for a project of an
    age group. No free text: the services fill the title from the project."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    region = OrderForm.base_fields["region"]
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    beneficiary_age = forms.IntegerField(
        label=_("服务对象年龄"), required=False, min_value=0, max_value=150
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, needs_age: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_age:
            del self.fields["beneficiary_age"]
