"""Screening forms: the instrument's questions, a screening done elsewhere, and
the positives confirmed as needs."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from referrals.choices import SocialNeed
from referrals.screening.definition import Instrument
from referrals.screening.scoring import DECLINED, multiple_answer_problem

PREFIX = "item_"


class ScreeningForm(PlainTextForm):
    """One radio group per question, each with "Declined to answer" (checkboxes
    where the question allows several answers); the private questions only when
    the patient can answer privately."""

    version = forms.CharField(widget=forms.HiddenInput)
    asked_privately = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, instrument: Instrument, language: str, private, **kw):
        super().__init__(*args, **kw)
        self.instrument = instrument
        self.private = private
        self.fields["version"].initial = instrument.version
        self.fields["asked_privately"].initial = private
        for item in instrument.items:
            if item.private and not private:
                continue
            choices = [
                (o.code, o.text.get(language, o.text["en"])) for o in item.options
            ]
            self.fields[PREFIX + item.code] = self._field(
                item,
                label=item.text.get(language, item.text["en"]),
                choices=[*choices, (DECLINED, _("Declined to answer"))],
            )

    @staticmethod
    def _field(item, **options):
        if item.multiple:
            return forms.MultipleChoiceField(
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Tick every answer that applies."),
                error_messages={
                    "required": _(
                        "Choose one or more answers, or “Declined to answer” if the "
                        "patient prefers not to say."
                    )
                },
                **options,
            )
        return forms.ChoiceField(
            widget=forms.RadioSelect,
            error_messages={
                "required": _(
                    "Choose an answer, or “Declined to answer” if the patient "
                    "prefers not to say."
                )
            },
            **options,
        )

    def clean(self):
        cleaned = super().clean()
        for item in self.instrument.items:
            name = PREFIX + item.code
            if item.multiple and name in cleaned:
                problem = multiple_answer_problem(item, cleaned[name])
                if problem:
                    self.add_error(name, problem)
        unasked = [
            item.code
            for item in self.instrument.items
            if item.private and not self.private and PREFIX + item.code in self.data
        ]
        if unasked:
            raise forms.ValidationError(
                _(
                    "Question %(code)s is asked only when the patient can answer "
                    "privately."
                )
                % {"code": unasked[0]}
            )
        return cleaned

    def _questions(self, private: bool):
        return [
            self[PREFIX + item.code]
            for item in self.instrument.items
            if item.private == private and PREFIX + item.code in self.fields
        ]

    @property
    def open_questions(self):
        return self._questions(False)

    @property
    def private_questions(self):
        return self._questions(True)

    def answers(self) -> dict:
        """Item code → answer code, a list of them where the question allows
        several, or ``DECLINED``."""
        answers = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(PREFIX):
                declined = value == [DECLINED]
                answers[name.removeprefix(PREFIX)] = DECLINED if declined else value
        return answers


class ElsewhereForm(PlainTextForm):
    screened_on = forms.DateField(
        label=_("Date of the screening"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    positive_domains = forms.MultipleChoiceField(
        label=_("Positive for"),
        choices=SocialNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked if the screening found no need."),
    )

    def clean_screened_on(self):
        day = self.cleaned_data["screened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                _("The screening date cannot be in the future.")
            )
        return day


class NeedsReviewForm(PlainTextForm):
    """The positives, ticked: untick what the patient does not want help with."""

    confirmed = forms.MultipleChoiceField(
        label=_("Needs to add to the referral"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, proposed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SocialNeed.choices)
        self.fields["confirmed"].choices = [(d, labels[d]) for d in proposed]
        self.fields["confirmed"].initial = proposed
