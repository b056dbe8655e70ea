from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.pickers import site_picker

from .choices import AgeGroup


class HoursField(forms.FloatField):
    """A step deadline entered in hours, stored as a duration."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0.1, max_value=24 * 90, **kwargs)

    def clean(self, value):
        hours = super().clean(value)
        return None if hours is None else timedelta(hours=hours)


class ProjectForm(forms.Form):
    """申报服务项目."""

    name = forms.CharField(label=_("项目名称"), max_length=120, min_length=2)
    category = forms.ChoiceField(label=_("服务类别"), choices=ServiceCategory.choices)
    # A province admin manages ~100,000 sites: picked by searching the staff scope.
    site = forms.ModelChoiceField(
        label=_("申报阵地"),
        queryset=Site.objects.none(),
        widget=site_picker(),
        error_messages={
            "invalid_choice": _("请从搜索结果中选择阵地：所选阵地不在您的管理范围内。")
        },
    )
    summary = forms.CharField(label=_("一句话介绍"), max_length=200, required=False)
    description = forms.CharField(
        label=_("项目介绍"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    age_group = forms.ChoiceField(label=_("服务对象"), choices=AgeGroup.choices)
    is_risky = forms.BooleanField(label=_("有风险的服务（未成年志愿者不得参与）"), required=False)
    outcome_label = forms.CharField(label=_("成效计量"), max_length=30, required=False)
    review_within = HoursField(label=_("审单时限（小时）"), required=False)
    dispatch_within = HoursField(label=_("派单时限（小时）"), required=False)
    accept_within = HoursField(label=_("接单时限（小时）"), required=False)
    start_within = HoursField(label=_("开始服务时限（小时）"), required=False)
    rate_within = HoursField(label=_("评价时限（小时）"), required=False)

    def __init__(self, *args, sites, **kwargs):
        """``sites``: the user's staff scope, the set ``/volunteers/pick/sites/`` searches."""
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
