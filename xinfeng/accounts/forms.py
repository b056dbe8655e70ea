from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region
from xinfeng.regions.pickers import SearchPicker


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=80,
        required=False,
        help_text=_("用于区分不同的用途，例如“数据大屏”。"),
    )


# Forms of the phone flows (accounts.views_phone) and 我的数据 (accounts.views_data). They
# check shapes only; the rules (number format, codes, password strength) are the services'.


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )


def _code_field():
    return forms.CharField(
        label=_("短信验证码"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("6 位数字，5 分钟内有效。"),
    )


def _home_region_field(required=True):
    levels = (RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE)
    return forms.ModelChoiceField(
        label=_("居住的村（社区）"),
        queryset=Region.objects.filter(level__in=levels),
        required=required,
        widget=SearchPicker(kind="regions", params={"scope": "public", "levels": ",".join(levels)}),
        help_text=_("输入村（社区）名称搜索，再点选。"),
        error_messages={"invalid_choice": _("请从搜索结果中选择居住的村（社区）。")},
    )


class CodeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"code": _code_field(), **self.fields}


class SignupForm(CodeForm):
    display_name = forms.CharField(label=_("姓名或称呼"), max_length=50)
    password = forms.CharField(
        label=_("登录密码（可不填）"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("不设密码也可以用短信验证码登录。"),
    )
    privacy = forms.BooleanField(label=_("我已阅读并同意《个人信息保护声明》"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        fields_order = ["code", "display_name", "home_region", "password", "privacy"]
        fields["home_region"] = _home_region_field()
        self.fields = {k: fields[k] for k in fields_order}


class ResetForm(CodeForm):
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("姓名或称呼"), max_length=50)
    email = forms.EmailField(label=_("邮箱（可不填）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty keeps the current home region (staff accounts may live at a county level).
        self.fields["home_region"] = _home_region_field(required=False)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我确认注销账号：个人信息将被删除或匿名化，此操作无法撤销。"), required=True
    )
