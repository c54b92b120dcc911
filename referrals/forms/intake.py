"""Clinic intake forms: find the patient, register or correct them, refer them."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from chwlink.lib.forms import PlainTextForm, PlainTextModelForm
from chwlink.lib.submissions import FormTokenForm
from referrals.choices import (
    ConsentScope,
    ConsentSource,
    MedicalReason,
    SocialNeed,
    Urgency,
)
from referrals.models import Patient
from referrals.services.intake import PATIENT_FIELDS, partnerships_for_clinic

OLDEST_AGE_YEARS = 120
PHONE_INVALID = _(
    "Enter a phone number, for example 503-555-0142 (with +52… for a number in "
    "another country)."
)
US_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")


class DateInput(forms.DateInput):
    """The browser's date picker, which always sends ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PhoneInput(RegionalPhoneNumberWidget):
    """A stored number in the region's own format; a typed one as it was typed,
    so a refused form gives back exactly what the user entered."""

    def format_value(self, value):
        if isinstance(value, str):
            return value
        return super().format_value(value)


def clean_date_of_birth(value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return value
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The date of birth cannot be in the future."))
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise forms.ValidationError(
            _("Check the year: that would make the patient over %(years)s years old.")
            % {"years": OLDEST_AGE_YEARS}
        )
    return value


def clean_phone(value):
    """A number texts and calls can reach: no extension (E.164 has none)."""
    if value and value.extension:
        raise forms.ValidationError(
            _(
                "Enter the number without its extension (note the extension under "
                "the best time to call)."
            )
        )
    return value


class PatientSearchForm(PlainTextForm):
    """Find a patient by medical record number, or by last name plus first name or
    date of birth (never by a bare letter, which would list half the clinic)."""

    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput()
    )
    mrn = forms.CharField(
        label=_("Medical record number"), max_length=40, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("mrn"):
            return cleaned
        if not cleaned.get("last_name"):
            raise forms.ValidationError(
                _(
                    "Enter the medical record number, or the last name with the first "
                    "name or date of birth."
                )
            )
        if not (cleaned.get("first_name") or cleaned.get("date_of_birth")):
            self.add_error(
                "first_name",
                _("Add the first name or the date of birth to the last name."),
            )
        return cleaned

    def session_data(self) -> dict:
        """What was typed, in a form the session can store (to pre-fill a new
        patient without putting anything in the address bar)."""
        data = dict(self.cleaned_data)
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        return {key: value for key, value in data.items() if value}


class PatientForm(PlainTextModelForm, FormTokenForm):
    """A patient's record. Validates only: the intake services save it."""

    different_person = forms.BooleanField(
        label=_("This is a different person: add the new patient anyway"),
        required=False,
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        error_messages = {
            "phone": {"invalid": PHONE_INVALID},
            "phone_alt": {"invalid": PHONE_INVALID},
        }
        widgets = {
            "phone": PhoneInput(),
            "phone_alt": PhoneInput(),
            "date_of_birth": DateInput(),
            "safe_contact_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "best_time_to_call": _("For example: weekdays after 5 pm."),
            "gender_identity": _("In the patient's own words; optional."),
            "texts_ok": _(
                "Tick when the patient agrees to texts at the main number: it is "
                "recorded as their consent. A patient who replied STOP is not "
                "texted until they reply START."
            ),
            "safe_contact_note": _(
                "Required when direct contact is off: who or what is safe "
                "(e.g. call her sister at 503-555-0100, or reach her at the clinic)."
            ),
        }

    def __init__(self, *args, duplicates_possible=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not duplicates_possible:
            del self.fields["different_person"]

    def clean_date_of_birth(self):
        return clean_date_of_birth(self.cleaned_data.get("date_of_birth"))

    def clean_mrn(self):
        mrn = self.cleaned_data.get("mrn", "").strip()
        if re.search(r"\s", mrn):
            raise forms.ValidationError(
                _("A medical record number has no spaces in it.")
            )
        return mrn

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_phone_alt(self):
        return clean_phone(self.cleaned_data.get("phone_alt", ""))

    def clean_postal_code(self):
        postal_code = self.cleaned_data.get("postal_code", "").strip()
        if postal_code and not US_ZIP.match(postal_code):
            raise forms.ValidationError(_("Enter a ZIP code such as 97214."))
        return postal_code

    def clean(self):
        cleaned = super().clean()
        note = cleaned.get("safe_contact_note", "").strip()
        cleaned["safe_contact_note"] = note
        if cleaned.get("do_not_contact") and not note:
            self.add_error(
                "safe_contact_note",
                _(
                    "Say how the patient can be reached safely when direct contact "
                    "is off."
                ),
            )
        return cleaned

    def refuse_duplicates(self, duplicates) -> bool:
        """Stop at patients who look like this one until the user confirms it is a
        different person; the same MRN is never a different person. True when the
        form may go on to create the patient."""
        mrn = self.cleaned_data["mrn"].casefold()
        if any(patient.mrn.casefold() == mrn for patient in duplicates):
            self.add_error(
                "mrn", _("A patient with this medical record number already exists.")
            )
        elif duplicates and not self.cleaned_data.get("different_person"):
            self.add_error(
                "different_person",
                _(
                    "Open the existing record if it is the same person; otherwise "
                    "tick this box."
                ),
            )
        return not self.errors

    def patient_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}


class ClinicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, clinic):
        return clinic.name


class PartnershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, partnership):
        return partnership.cbo.name


# What a person at the clinic can attest to (the clinic's own system records
# its consents through the FHIR API).
BROWSER_CONSENT_SOURCES = [
    (value, label)
    for value, label in ConsentSource.choices
    if value != ConsentSource.CLINIC_SYSTEM
]


class ReferralForm(FormTokenForm):
    """A referral to the CBO. A draft may be incomplete; submitting it needs at
    least one social need and the patient's consent."""

    SAVE_DRAFT = "draft"
    SUBMIT = "submit"

    clinic = ClinicChoiceField(
        label=_("Referring clinic"), queryset=None, empty_label=None
    )
    partnership = PartnershipChoiceField(
        label=_("Refer to"),
        queryset=None,
        required=False,
        empty_label=_("Choose the organization"),
        help_text=_(
            "Your clinics refer to more than one community-based organization."
        ),
    )
    social_needs = forms.MultipleChoiceField(
        label=_("Social needs"),
        choices=SocialNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("What keeps the patient from care. Choose one or more."),
    )
    medical_reasons = forms.MultipleChoiceField(
        label=_("Medical reasons"),
        choices=MedicalReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    medical_reason_other = forms.CharField(
        label=_("Other medical reason"), max_length=200, required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    notes_for_navigator = forms.CharField(
        label=_("Notes for the navigator"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the navigator should know before the first call."),
    )
    consent_given = forms.BooleanField(
        label=_("The patient agrees that we share their information with the CBO"),
        required=False,
        help_text=_("Your name and the time are recorded with the consent."),
    )
    consent_source = forms.ChoiceField(
        label=_("How the patient agreed"),
        choices=BROWSER_CONSENT_SOURCES,
        # Most patients agree by telling the person at the desk; ticking the
        # consent box above is the attestation itself.
        initial=ConsentSource.VERBAL,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_scope = forms.ChoiceField(
        label=_("Shared with"),
        choices=ConsentScope.choices,
        initial=ConsentScope.CBO,
        required=False,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action = forms.ChoiceField(
        choices=[(SAVE_DRAFT, _("Save draft")), (SUBMIT, _("Submit to the CBO"))],
        required=False,
    )

    def __init__(self, *args, clinics, partnerships, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = clinics
        self.fields["partnership"].queryset = partnerships.select_related("cbo")
        self.editing = editing

    @property
    def offers_partnership_choice(self) -> bool:
        """Shown when the health system refers to more than one CBO, or when a
        refused choice must be shown beside its field."""
        return (
            "partnership" in self.errors or len(self.fields["partnership"].queryset) > 1
        )

    def _clean_partnership(self, cleaned: dict) -> None:
        """The CBO must be one the referring clinic may refer to; with several and
        no choice, the user chooses (none is picked for them)."""
        clinic = cleaned.get("clinic")
        if clinic is None or "partnership" in self.errors:
            return
        candidates = list(partnerships_for_clinic(clinic=clinic))
        chosen = cleaned.get("partnership")
        if chosen is not None and chosen not in candidates:
            self.add_error(
                "partnership",
                _("%(clinic)s does not refer to %(cbo)s.")
                % {"clinic": clinic.name, "cbo": chosen.cbo.name},
            )
        elif chosen is None and len(candidates) > 1:
            self.add_error(
                "partnership",
                _("Choose the community-based organization to refer to."),
            )
        elif chosen is None and candidates:
            cleaned["partnership"] = candidates[0]
        elif not candidates:
            self.add_error(
                "clinic",
                _("%(clinic)s has no active partnership to refer to yet.")
                % {"clinic": clinic.name},
            )

    @property
    def submitting(self) -> bool:
        """Did the user press "Submit to the CBO" (rather than "Save draft")?"""
        return self.cleaned_data.get("action") == self.SUBMIT

    def clean_consent_scope(self):
        # Not said: the narrower sharing, never the wider one.
        return self.cleaned_data["consent_scope"] or ConsentScope.CBO

    def clean(self):
        cleaned = super().clean()
        reasons = cleaned.get("medical_reasons") or []
        other = cleaned.get("medical_reason_other", "").strip()
        if other and MedicalReason.OTHER not in reasons:
            cleaned["medical_reasons"] = [*reasons, MedicalReason.OTHER]
        elif MedicalReason.OTHER in reasons and not other:
            self.add_error("medical_reason_other", _("Describe the other reason."))
        self._clean_partnership(cleaned)
        if self.editing and cleaned.get("version") is None:
            self.add_error(None, _("This form is out of date. Reload the page."))
        if cleaned.get("action") == self.SUBMIT:
            if not cleaned.get("social_needs"):
                self.add_error(
                    "social_needs",
                    _("Choose at least one social need before submitting."),
                )
            if not cleaned.get("consent_given"):
                self.add_error(
                    "consent_given",
                    _("Record the patient's consent before submitting."),
                )
        if cleaned.get("consent_given") and not cleaned.get("consent_source"):
            self.add_error(
                "consent_source",
                _("Choose how the patient agreed (told you, or signed a form)."),
            )
        return cleaned

    def referral_data(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in (
                "clinic",
                "partnership",
                "social_needs",
                "medical_reasons",
                "medical_reason_other",
                "urgency",
                "notes_for_navigator",
                "consent_given",
                "consent_source",
                "consent_scope",
            )
        }
        if self.cleaned_data.get("version") is not None:
            data["version"] = self.cleaned_data["version"]
        return data
