"""The closing form: each need's outcome, the reason and the note for the clinic."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from referrals.choices import NeedOutcome, SocialNeed, StatusReason

NEED_LABELS = dict(SocialNeed.choices)
REASON_LABELS = dict(StatusReason.choices)


class ClosingForm(PlainTextForm):
    """One outcome per confirmed need (required for "needs addressed"), the reason
    (for "unable to complete") and the note the clinic reads, with the version of
    the referral the person was looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason_code = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Closing note for the clinic"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The clinic reads it with the outcomes. Up to 2,000 characters; "
            "no details the patient did not agree to share."
        ),
    )

    def __init__(self, *args, transition, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = needs
        complete = transition.name == "complete"
        if transition.needs_reason:
            self.fields["reason_code"].choices = [
                (code, REASON_LABELS[code]) for code in transition.reasons
            ]
        else:
            del self.fields["reason_code"]
        self.fields["note"].required = complete
        choices = list(NeedOutcome.choices)
        if not complete:
            choices = [("", _("Not known")), *choices]
        outcome_fields = {
            self.outcome_field(need): forms.ChoiceField(
                label=NEED_LABELS.get(need, need),
                choices=choices,
                required=complete,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose what became of this need.")},
            )
            for need in needs
        }
        # The outcomes come first: they are what the closing is about.
        self.fields = {
            "version": self.fields.pop("version"),
            **outcome_fields,
            **self.fields,
        }

    @staticmethod
    def outcome_field(need: str) -> str:
        return f"outcome_{need}"

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason_code") == StatusReason.OTHER
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", _("Describe the reason."))
        return cleaned

    def outcomes(self) -> dict[str, str]:
        return {
            need: self.cleaned_data[self.outcome_field(need)]
            for need in self.needs
            if self.cleaned_data.get(self.outcome_field(need))
        }

    def summary(self) -> list[tuple[str, str]]:
        """(need, outcome) labels for the confirmation page, in the form's order."""
        labels = dict(NeedOutcome.choices)
        chosen = self.outcomes()
        return [
            (NEED_LABELS.get(need, need), labels.get(chosen.get(need), _("Not known")))
            for need in self.needs
        ]

    def reason_label(self) -> str:
        return REASON_LABELS.get(self.cleaned_data.get("reason_code", ""), "")
