"""Staff forms: survey settings, the questions editor rows, XLSForm upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import restrict
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.volunteers.pickers import site_picker

from .choices import DuplicatePolicy, QuestionType, SurveyKind
from .services.xlsform import MAX_XLSFORM_BYTES


class RegionMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return ("— " * max(0, obj.depth - 3)) + obj.name


def staff_regions(user):
    """Townships and villages of the user's staff area (a survey's coverage choices)."""
    qs = Region.objects.filter(
        level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
    )
    return restrict(qs, user, path_field="path", roles=STAFF_ROLES).order_by("path")


class SurveyForm(forms.Form):
    """问卷设置 (questions are edited apart)."""

    title = forms.CharField(label=_("问卷标题"), max_length=120, min_length=2)
    title_en = forms.CharField(label=_("英文标题"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=SurveyKind.choices)
    site = forms.ModelChoiceField(
        label=_("发起阵地"),
        queryset=Site.objects.none(),
        widget=site_picker(),
        error_messages={
            "invalid_choice": _("请从搜索结果中选择阵地：所选阵地不在您的管理范围内。")
        },
    )
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    regions = RegionMultipleField(
        label=_("调查范围"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("不选则为发起阵地所在区划。"),
    )
    opens_at = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("截止时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    allow_anonymous = forms.BooleanField(label=_("允许匿名作答"), required=False, initial=True)
    duplicate_policy = forms.ChoiceField(
        label=_("重复作答限制"), choices=DuplicatePolicy.choices, initial=DuplicatePolicy.PER_DEVICE
    )
    duplicate_window_hours = forms.IntegerField(
        label=_("限制时间窗口（小时）"), min_value=1, max_value=24 * 366, initial=24 * 30
    )
    max_per_address = forms.IntegerField(
        label=_("同一网络地址最多份数"), min_value=1, max_value=100000, initial=30
    )
    project = forms.ModelChoiceField(
        label=_("评价的项目（问效）"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = restrict(
            Site.objects.select_related("region"), user, roles=STAFF_ROLES
        )
        self.fields["regions"].queryset = staff_regions(user)
        self.fields["project"].queryset = restrict(
            Project.objects.all(), user, roles=STAFF_ROLES
        ).order_by("name")
        if editing:
            del self.fields["site"]
            del self.fields["kind"]


class XLSFormUploadForm(forms.Form):
    """Create a survey from an XLSForm workbook."""

    file = forms.FileField(label=_("XLSForm 文件（.xlsx）"))
    kind = forms.ChoiceField(label=_("类型"), choices=SurveyKind.choices)
    site = SurveyForm.base_fields["site"]
    title = forms.CharField(
        label=_("问卷标题"),
        max_length=120,
        required=False,
        help_text=_("留空则使用 settings 表中的 form_title。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = restrict(
            Site.objects.select_related("region"), user, roles=STAFF_ROLES
        )


class XLSFormReplaceForm(forms.Form):
    """Give an existing survey the questions of an XLSForm (a new version once published)."""

    file = forms.FileField(label=_("XLSForm 文件（.xlsx）"))


def read_upload(f) -> bytes:
    """The upload's bytes, at most one byte over the limit (the service refuses it)."""
    return f.read(MAX_XLSFORM_BYTES + 1)


class QuestionRowForm(forms.Form):
    """One row of the questions editor. Choices: one per line, ``key=中文|English``."""

    position = forms.IntegerField(label=_("顺序"), min_value=0, max_value=999, required=False)
    name = forms.CharField(label=_("字段名"), max_length=64, required=False)
    label_zh = forms.CharField(label=_("题目"), max_length=300, required=False)
    label_en = forms.CharField(label=_("英文题目"), max_length=300, required=False)
    qtype = forms.ChoiceField(label=_("题型"), choices=QuestionType.choices, required=False)
    required = forms.BooleanField(label=_("必答"), required=False)
    relevant = forms.CharField(label=_("显示条件"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("选项"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个：值=中文|English，如 old=一老|Elderly care"),
    )

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (d.get("name") or d.get("label_zh"))

    def question(self) -> dict:
        d = self.cleaned_data
        choices = []
        for line in (d.get("choices") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            key, _sep, labels = line.partition("=")
            zh, _sep2, en = labels.partition("|")
            choices.append({"key": key.strip(), "label_zh": zh.strip(), "label_en": en.strip()})
        return {
            "name": d.get("name") or "",
            "label_zh": d.get("label_zh") or "",
            "label_en": d.get("label_en") or "",
            "qtype": d.get("qtype") or "",
            "required": bool(d.get("required")),
            "relevant": d.get("relevant") or "",
            "choices": choices,
        }


def question_initial(q) -> dict:
    return {
        "position": q.position,
        "name": q.name,
        "label_zh": q.label_zh,
        "label_en": q.label_en,
        "qtype": q.qtype,
        "required": q.required,
        "relevant": q.relevant,
        "choices": "\n".join(
            f"{c['key']}={c['label_zh']}" + (f"|{c['label_en']}" if c.get("label_en") else "")
            for c in q.choices
        ),
    }


QuestionFormSet = forms.formset_factory(QuestionRowForm, extra=0, max_num=200, absolute_max=200)
