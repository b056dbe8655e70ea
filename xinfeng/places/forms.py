"""Staff forms for sites and venues. They only collect and check input; the write goes
through ``places.services`` like every other write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.pickers import SearchPicker

from .choices import Department, Facility, VenueUse
from .models import Site, Venue

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class SiteForm(forms.ModelForm):
    facilities = forms.MultipleChoiceField(
        label=_("整合资源"),
        choices=Facility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guiding_departments = forms.MultipleChoiceField(
        label=_("指导部门"),
        choices=Department.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    responsible_account = forms.CharField(
        label=_("负责人账号"),
        required=False,
        max_length=150,
        help_text=_("填写负责人的用户名或手机号，可留空。"),
    )

    class Meta:
        model = Site
        fields = [
            "name",
            "level",
            "point_kind",
            "region",
            "parent",
            "host_unit",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "phone",
            "description",
            "responsible_name",
            "responsible_title",
            "facilities",
            "guiding_departments",
            "is_complex",
            "active_from",
            "active_until",
        ]
        widgets = {
            # Search pickers, not selects: a province has ~100,000 sites and regions.
            "region": SearchPicker(kind="regions", params={"scope": "staff"}),
            "parent": SearchPicker(kind="sites"),
            "active_from": DateTimeLocalInput(),
            "active_until": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "latitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        }

    def __init__(self, *args, regions, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["parent"].queryset = parents
        if self.instance.pk:
            self.fields["parent"].widget.params["exclude"] = self.instance.pk
        for name in ("active_from", "active_until"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        if self.instance.pk and self.instance.responsible_user_id:
            user = self.instance.responsible_user
            self.initial.setdefault("responsible_account", user.phone or user.username)

    def site_fields(self) -> dict:
        """The cleaned values the site service takes (the account is resolved by the view)."""
        return {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}


class VenueForm(forms.ModelForm):
    uses = forms.MultipleChoiceField(
        label=_("用途"),
        choices=VenueUse.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Venue
        fields = ["name", "uses", "capacity", "opens_at", "closes_at", "description", "is_active"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class OperatorForm(forms.Form):
    identifier = forms.CharField(
        label=_("用户名或手机号"), max_length=150, help_text=_("该账号将成为本阵地的管理员。")
    )
