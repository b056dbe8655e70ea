from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import RECORD, window_validator

from .choices import FundSource
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
