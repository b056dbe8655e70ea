from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import RECORD, window_validator

from .choices import AssessedLevel, FundSource, Method, NodeKind, Rule
from .metrics import METRICS
from .money import yuan_to_fen


class YuanField(forms.CharField):
    """Amount typed in yuan (up to two decimals), cleaned to integer fen."""

    def clean(self, value):
        value = super().clean(value)
        try:
            fen = yuan_to_fen(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.detail)) from exc
        if fen <= 0:
            raise forms.ValidationError(_("金额应大于 0。"))
        return fen


class AllocationForm(forms.Form):
    year = forms.IntegerField(label=_("预算年度"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    region = forms.IntegerField(label=_("接收单位"), widget=forms.Select)
    amount_fen = YuanField(label=_("金额（元）"), max_length=20)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ExpenditureForm(forms.Form):
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    spent_on = forms.DateField(
        label=_("支出日期"),
        validators=[window_validator(RECORD)],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    payee = forms.CharField(label=_("收款方"), max_length=120)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    amount_fen = YuanField(label=_("金额（元）"), max_length=20)
    receipt = forms.FileField(label=_("票据（PDF 或图片，10 MB 以内）"), required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200)


class SchemeForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=120)


class NodeForm(forms.Form):
    kind = forms.ChoiceField(label=_("层级"), choices=NodeKind.choices)
    code = forms.CharField(
        label=_("编号"), max_length=20, help_text=_("如 1、1.2、1.2.3：上级由编号前缀决定")
    )
    title = forms.CharField(label=_("名称"), max_length=200)
    points = forms.DecimalField(
        label=_("分值"), required=False, min_value=0, max_value=1000, decimal_places=2
    )
    level = forms.ChoiceField(
        label=_("考核对象"), choices=[("", "—"), *AssessedLevel.choices], required=False
    )
    method = forms.ChoiceField(
        label=_("考核方式"), choices=[("", "—"), *Method.choices], required=False
    )
    rule = forms.ChoiceField(
        label=_("计分规则"), choices=[("", "—"), *Rule.choices], required=False
    )
    metric = forms.ChoiceField(
        label=_("自动指标"),
        required=False,
        choices=[("", "—"), *[(k, v["label"]) for k, v in METRICS.items()]],
    )
    target = forms.DecimalField(
        label=_("目标值"), required=False, min_value=0, max_value=10**9, decimal_places=2
    )
    cap = forms.DecimalField(
        label=_("封顶倍数"), required=False, min_value=0, max_value=10, decimal_places=2
    )
    per_unit = forms.DecimalField(
        label=_("每项扣分"), required=False, min_value=0, max_value=1000, decimal_places=2
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"))


class ManualScoreForm(forms.Form):
    """One manual standard's score for a unit and period; which of grade, value and yes/no
    counts is the standard's rule (checked again by the service)."""

    node = forms.TypedChoiceField(label=_("考核标准"), coerce=int)
    period = forms.CharField(
        label=_("考核期"), max_length=10, help_text=_("如 2026、2026-Q1 或 2026-03")
    )
    grade = forms.ChoiceField(
        label=_("档次（按档次计分的标准）"),
        choices=[("", "—"), ("A", "A"), ("B", "B"), ("C", "C"), ("C#", "C#")],
        required=False,
    )
    value = forms.DecimalField(
        label=_("数值或差距（按比例或扣分计分的标准）"),
        min_value=0,
        max_value=10**6,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    done = forms.BooleanField(label=_("达标（是/否计分的标准）"), required=False)
    note = forms.CharField(
        label=_("检查记录"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.FileField(label=_("佐证材料（PDF 或图片，10 MB 以内）"), required=False)

    def __init__(self, *args, standards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [
            (
                n.pk,
                _("%(code)s %(title)s（%(rule)s，%(points)s 分）")
                % {
                    "code": n.code,
                    "title": n.title,
                    "rule": n.get_rule_display(),
                    "points": n.points,
                },
            )
            for n in standards
        ]


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("被考核单位说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
