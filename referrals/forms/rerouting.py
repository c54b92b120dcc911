"""Sending a declined referral on to another CBO."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chwlink.lib.submissions import FormTokenForm
from partners.models import Partnership


class CboChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, partnership):
        return partnership.cbo.name


class RerouteForm(FormTokenForm):
    partnership = CboChoiceField(
        label=_("Send to"),
        queryset=Partnership.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the organization to send it to.")},
    )
    note = forms.CharField(
        label=_("Note for the new organization (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on both referrals' timelines. Up to 2,000 characters."),
    )
    consent = forms.BooleanField(
        label=_("The patient agrees to share this referral with that organization."),
        error_messages={
            "required": _("Ask the patient first: tick this once they agree.")
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = (
            Partnership.objects.filter(pk__in=[p.pk for p in choices])
            .select_related("cbo")
            .order_by("cbo__name", "pk")
        )
