"""Page forms. Accounts are named by username or phone (``accounts.selectors.
user_by_identifier``, a 400 on the field when there is none); the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.selectors import user_by_identifier
from xinfeng.core.errors import ValidationFailed
from xinfeng.places.choices import Department

from .choices import GUIDING_DEPARTMENTS, GroupRole, HandoverKind, StaffKind

DATE = forms.DateInput(attrs={"type": "date"})


class AccountField(forms.CharField):
    """An account named by username or phone number; cleans to the ``User``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("help_text", _("填写用户名或手机号。"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return user_by_identifier(identifier=value)
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.detail)) from exc


class TermForm(forms.Form):
    user = AccountField(label=_("一把手账号"))
    post = forms.CharField(label=_("职务"), max_length=80, help_text=_("如“村党支部书记”。"))
    starts_on = forms.DateField(label=_("任期开始"), widget=DATE)
    ends_on = forms.DateField(label=_("任期结束"), widget=DATE, required=False)

    def clean(self):
        data = super().clean()
        s, e = data.get("starts_on"), data.get("ends_on")
        if s and e and e < s:
            self.add_error("ends_on", _("任期结束日期不能早于开始日期。"))
        return data


class StaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=StaffKind.choices)
    post = forms.CharField(label=_("岗位"), max_length=80, required=False)
    starts_on = forms.DateField(label=_("到岗日期"), widget=DATE)
    user = AccountField(label=_("账号（可不填）"), required=False)


class HandoverForm(forms.Form):
    kind = forms.ChoiceField(label=_("交接类别"), choices=HandoverKind.choices)
    staff = forms.ChoiceField(label=_("交接的专职人员"), required=False, choices=())
    successor = AccountField(label=_("接任人账号"))
    post = forms.CharField(
        label=_("职务"), max_length=80, required=False, help_text=_("不填则沿用前任职务。")
    )
    on = forms.DateField(label=_("交接日期"), widget=DATE)
    note = forms.CharField(
        label=_("交接说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, staff_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "—"), *staff_choices]


class GroupForm(forms.Form):
    region = forms.ChoiceField(label=_("层级（区划）"), choices=())
    name = forms.CharField(
        label=_("名称"), max_length=120, required=False, help_text=_("不填则自动命名。")
    )
    established_on = forms.DateField(label=_("成立日期"), widget=DATE, required=False)
    duties = forms.CharField(
        label=_("职责"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(region_choices)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.CharField(label=_("单位"), max_length=120)
    post = forms.CharField(label=_("职务"), max_length=80)
    role = forms.ChoiceField(
        label=_("小组职务"), choices=GroupRole.choices, initial=GroupRole.MEMBER
    )
    department = forms.ChoiceField(
        label=_("代表部门"),
        required=False,
        choices=[("", "—"), *[(d, Department(d).label) for d in Department.values]],
    )
    user = AccountField(label=_("账号（可不填）"), required=False)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    minutes = forms.CharField(
        label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    decisions = forms.CharField(
        label=_("决定事项"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("每行一项。"),
    )

    def clean_decisions(self):
        return [
            line.strip() for line in self.cleaned_data["decisions"].splitlines() if line.strip()
        ]


class TaskForm(forms.Form):
    owner = AccountField(label=_("责任人账号"))
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    title = forms.CharField(
        label=_("任务名称"), max_length=200, required=False, help_text=_("不填则用决定内容。")
    )


DEPARTMENT_CHOICES = [(d, Department(d).label) for d in GUIDING_DEPARTMENTS]
