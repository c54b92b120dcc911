from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import CLOSED_STATUSES, OPEN_STATUSES, Referral


class ClinicListFilterForm(forms.Form):
    STATUS_GROUPS = {
        "open": OPEN_STATUSES,
        "closed": CLOSED_STATUSES,
        "draft": {Referral.Status.DRAFT},
    }
    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=None, required=False, empty_label=_("All clinics")
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All referrals")),
            ("open", _("Open")),
            ("closed", _("Closed")),
            ("draft", _("Drafts")),
        ],
    )

    def __init__(self, data=None, *, clinics, default_clinic=None):
        if data is None and default_clinic is not None:
            data = {"clinic": default_clinic.pk}
        super().__init__(data)
        self.fields["clinic"].queryset = clinics

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        group = self.cleaned_data.get("show")
        return {
            "clinic": self.cleaned_data.get("clinic"),
            "statuses": self.STATUS_GROUPS.get(group),
        }
