from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.core.validation import PLAN, window_validator
from xinfeng.places.models import Site
from xinfeng.regions.models import Region, subtree_q
from xinfeng.regions.pickers import KINDS, Kind, SearchPicker

from .choices import SETTABLE_STATUSES, LinkKind, ReviewOutcome, TaskStatus
from .policy import owner_candidates

# Candidates offered in a select (a city's staff fit; a province would use a picker).
MAX_CHOICES = 300


def plan_regions(user):
    """Regions whose plan the user may issue: where they hold a staff role and one level
    below (a township admin issues the township's plan; the center also its townships')."""
    paths = scope_paths(user, STAFF_ROLES)
    qs = Region.objects.all()
    if paths is not None:
        if not paths:
            return qs.none()
        tops = Region.objects.filter(path__in=paths)
        qs = qs.filter(Q(path__in=paths) | Q(parent__in=tops))
    return qs.order_by("path")[:MAX_CHOICES]


def owner_label(user) -> str:
    return user.display_name or user.username


def _owner_search(qs: QuerySet, q: str) -> QuerySet:
    return qs.filter(Q(display_name__icontains=q) | Q(username__icontains=q))


# A province's plan may have thousands of candidate owners: the form searches them
# (``/workplans/pick/owners/?plan=<id>``) instead of rendering a select.
KINDS.setdefault(
    "plan_owners", Kind(owner_label, _owner_search, lambda: ("display_name", "id"), ())
)
NOT_IN_AREA = _("请从搜索结果中选择责任人：所选人员不存在或不在该方案的区划内。")


class PlanForm(forms.Form):
    region_id = forms.ModelChoiceField(label=_("层级（区划）"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("方案名称"), max_length=200)
    summary = forms.CharField(
        label=_("方案概要"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_id"].queryset = Region.objects.filter(
            pk__in=[r.pk for r in plan_regions(user)]
        ).order_by("path")


class GoalForm(forms.Form):
    title = forms.CharField(label=_("目标"), max_length=200)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=200)
    owner_id = forms.ModelChoiceField(
        label=_("责任人"),
        queryset=get_user_model().objects.none(),
        widget=SearchPicker(kind="plan_owners", url_name="workplans:pick_owners"),
        error_messages={"invalid_choice": NOT_IN_AREA},
    )
    deadline = forms.DateField(
        label=_("完成时限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[window_validator(PLAN)],
    )
    goal_id = forms.ModelChoiceField(label=_("所属目标"), queryset=None, required=False)
    description = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].queryset = owner_candidates(plan.region)
        self.fields["owner_id"].widget.params["plan"] = plan.pk
        self.fields["goal_id"].queryset = plan.goals.all()


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(s.value, s.label) for s in TaskStatus if s in SETTABLE_STATUSES],
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证文件（PDF 或图片）"), required=False)
    link_kind = forms.ChoiceField(
        label=_("或关联记录"), choices=[("", "—"), *LinkKind.choices], required=False
    )
    link_id = forms.IntegerField(
        label=_("记录编号"), min_value=1, max_value=2**63 - 1, required=False
    )
    figure = forms.CharField(label=_("数据指标代码"), max_length=60, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class DesignationForm(forms.Form):
    site_id = forms.ModelChoiceField(label=_("阵地"), queryset=Site.objects.none())
    year = forms.IntegerField(label=_("命名年度"), min_value=2000, max_value=2100)
    criteria = forms.CharField(label=_("命名标准"), widget=forms.Textarea(attrs={"rows": 3}))
    designated_by = forms.CharField(label=_("命名单位（可留空）"), max_length=120, required=False)

    def __init__(self, *args, township=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_id"].queryset = (
            Site.objects.open_at()
            .filter(subtree_q([township.path], "region__path"))
            .order_by("level", "name")
        )


class ReviewForm(forms.Form):
    year = forms.IntegerField(label=_("复核年度"), min_value=2000, max_value=2100)
    outcome = forms.ChoiceField(label=_("复核结果"), choices=ReviewOutcome.choices)
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
