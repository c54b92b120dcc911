"""Forms of the texts on a referral: a text to send, consent, a visit."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm, PlainTextModelForm
from chwlink.lib.submissions import FormTokenForm
from referrals.forms.work import DATETIME_LOCAL
from referrals.models import PartnershipTexting, TextConsent, TextMessage
from referrals.texting.partnership_settings import EDITABLE
from referrals.texting.texts import MAX_LENGTH

SENT_BY_NAVIGATOR = [
    TextMessage.Kind.FREE,
    TextMessage.Kind.INTRO,
    TextMessage.Kind.RESOURCE,
    TextMessage.Kind.VISIT,
]


class TextForm(FormTokenForm):
    kind = forms.ChoiceField(
        choices=[(k, k) for k in SENT_BY_NAVIGATOR],
        initial=TextMessage.Kind.FREE,
        widget=forms.HiddenInput,
    )
    # A longer text is refused by the service with the count, not cut here.
    body = forms.CharField(
        label=_("Text to the patient"),
        max_length=MAX_LENGTH * 4,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Goes to the patient's phone. Write no diagnosis or health details."
        ),
    )


class ConsentForm(PlainTextForm):
    given = forms.TypedChoiceField(
        label=_("The patient"),
        choices=[("yes", _("agrees to texts")), ("no", _("does not want texts"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=[
            (TextConsent.Method.VERBAL, TextConsent.Method.VERBAL.label),
            (TextConsent.Method.WRITTEN, TextConsent.Method.WRITTEN.label),
        ],
        widget=forms.RadioSelect,
    )


class VisitForm(PlainTextForm):
    starts_at = forms.DateTimeField(
        label=_("Visit on"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
    )

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at <= timezone.now():
            raise forms.ValidationError(_("A scheduled visit is in the future."))
        return starts_at


class TextingSettingsForm(PlainTextModelForm):
    """When texts may go out and which automatic texts the partnership sends (the
    sending number is the provider's, set by an administrator)."""

    class Meta:
        model = PartnershipTexting
        fields = list(EDITABLE)
        widgets = {
            "send_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "send_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean_visit_reminder_hours(self):
        hours = self.cleaned_data["visit_reminder_hours"]
        if not 1 <= hours <= 168:
            raise forms.ValidationError(_("Choose from 1 to 168 hours (a week)."))
        return hours

    def clean_hold_check_in_days(self):
        days = self.cleaned_data["hold_check_in_days"]
        if not 1 <= days <= 90:
            raise forms.ValidationError(_("Choose from 1 to 90 days."))
        return days

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("send_from"), cleaned.get("send_until")
        if start and end and start >= end:
            self.add_error(
                "send_until",
                _("Texts must stop later in the day than they start."),
            )
        return cleaned
