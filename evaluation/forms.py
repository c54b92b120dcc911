import datetime
import re
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from chwlink.lib.row_choices import RowChoiceField
from chwlink.lib.submissions import FormTokenForm
from evaluation.models import PAM_ITEMS, CutSet, PamAdministration, Story
from partners.languages import LANGUAGE_CHOICES
from referrals.forms.filters import language_filter, need_filter

ANSWERS = [
    ("1", _("Disagree strongly")),
    ("2", _("Disagree")),
    ("3", _("Agree")),
    ("4", _("Agree strongly")),
    ("na", _("N/A")),
]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (the browser's month picker), cleaned to its 1st."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def clean(self, value):
        value = super().clean(value)
        match = re.match(r"^(\d{4})-(\d{2})$", value or "")
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return datetime.date(int(match[1]), int(match[2]), 1)


def _read_upload(upload, label) -> str:
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is too large (5 MB at most)."))
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(
            _("Save the %(what)s as CSV in UTF-8.") % {"what": label}
        ) from error


class ManyOptionsSelect(forms.Select):
    """A select whose options are written in Python rather than a template each
    (the filters' lists are long: a large CBO has hundreds of navigators)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(option))}"'
            f"{' selected' if str(option) in chosen else ''}>"
            f"{escape(str(label))}</option>"
            for option, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        # Every value and label was escaped above.
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            attributes,
            mark_safe(options),  # noqa: S308
        )


def person_name(first_name: str, last_name: str, email: str) -> str:
    """How ``User.__str__`` names a person, from the three columns."""
    return f"{first_name} {last_name}".strip() or email


class PersonChoiceField(RowChoiceField):
    """People to choose from, read as names rather than as model objects."""

    def options(self, queryset):
        for pk, *names in queryset.values_list(
            "pk", "first_name", "last_name", "email"
        ):
            yield (pk, person_name(*names))


class DashboardFilterForm(PlainTextForm):
    start = forms.DateField(label=_("Sent from"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Sent until"), required=False, widget=DateInput)
    clinic = forms.ModelChoiceField(
        label=_("Clinic"),
        queryset=None,
        required=False,
        empty_label=_("All clinics"),
        widget=ManyOptionsSelect,
    )
    navigator = PersonChoiceField(
        label=_("Navigator"),
        queryset=None,
        required=False,
        empty_label=_("All navigators"),
        widget=ManyOptionsSelect,
    )
    language = language_filter(widget=ManyOptionsSelect)
    need = need_filter()
    need.widget = ManyOptionsSelect(choices=need.choices)
    window = forms.TypedChoiceField(
        label=_("Utilization window"),
        required=False,
        coerce=int,
        empty_value=6,
        choices=[("6", _("6 months each side")), ("12", _("12 months each side"))],
        widget=ManyOptionsSelect,
    )
    shared = forms.BooleanField(
        label=_("Show as shared (small counts hidden)"), required=False
    )

    def __init__(self, data=None, *, clinics, navigators):
        super().__init__(data)
        self.fields["clinic"].queryset = clinics
        self.fields["navigator"].queryset = navigators

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date must be after the start date."))
        return data

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"window": 6}
        return {**self.cleaned_data, "window": self.cleaned_data.get("window") or 6}


class PamForm(FormTokenForm):
    administered_on = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(
        label=_("Baseline or follow-up"),
        choices=PamAdministration.Kind.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    mode = forms.ChoiceField(label=_("How"), choices=PamAdministration.Mode.choices)
    manual_score = forms.DecimalField(
        label=_("Score from the licensed scorer (optional)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text=_(
            "Leave empty to use your organization's table, or raw answers only."
        ),
    )
    manual_cut_set = forms.ChoiceField(
        label=_("Cut points the scorer used"),
        required=False,
        choices=[("", "—"), *CutSet.choices],
    )

    def __init__(self, *args, wording=None, **kwargs):
        super().__init__(*args, **kwargs)
        for number, (key, label) in enumerate(PAM_ITEMS, start=1):
            text = wording[number - 1] if wording else label
            self.fields[f"item_{key}"] = forms.ChoiceField(
                label=f"{number}. {text}",
                choices=ANSWERS,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    @property
    def item_fields(self):
        return [self[f"item_{key}"] for key, _label in PAM_ITEMS]

    @property
    def unanswered_numbers(self) -> list[int]:
        """The item numbers refused (unanswered), for the summary above the form."""
        return [
            number
            for number, field in enumerate(self.item_fields, start=1)
            if field.errors
        ]

    @property
    def other_fields_with_errors(self):
        return [
            self[name]
            for name in self.fields
            if not name.startswith("item_") and self[name].errors
        ]

    def clean(self):
        data = super().clean()
        if data.get("manual_score") is not None and not data.get("manual_cut_set"):
            self.add_error(
                "manual_cut_set", _("Say which cut points produced the score.")
            )
        return data

    def answers(self) -> list:
        values = [self.cleaned_data[f"item_{key}"] for key, _label in PAM_ITEMS]
        return [None if value == "na" else int(value) for value in values]


class PamTableForm(FormTokenForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    license_reference = forms.CharField(
        label=_("License reference"), max_length=200, required=False
    )
    cut_set = forms.ChoiceField(label=_("Cut-point set"), choices=CutSet.choices)
    table_file = forms.FileField(
        label=_("Conversion table (CSV: answered, raw_sum, score)")
    )
    wording_file = forms.FileField(
        label=_("Official item wording (CSV: language, item, text)"), required=False
    )

    def clean_table_file(self):
        return _read_upload(self.cleaned_data["table_file"], _("conversion table"))

    def clean_wording_file(self):
        upload = self.cleaned_data.get("wording_file")
        return _read_upload(upload, _("item wording")) if upload else ""


class StoryForm(FormTokenForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    told_on = forms.DateField(label=_("Told on"), widget=DateInput)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    domain = forms.ChoiceField(
        label=_("Domain of change"), choices=Story.Domain.choices
    )
    text = forms.CharField(
        label=_("The story, in the teller's words"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was the most significant change for you, and why?"),
    )
    referral = forms.ModelChoiceField(
        label=_("Referral"), queryset=None, required=False, empty_label=_("None")
    )
    consent_scope = forms.ChoiceField(
        label=_("Consent to share"),
        choices=Story.Scope.choices,
        widget=forms.RadioSelect,
    )
    consent_expires_on = forms.DateField(
        label=_("Consent expires on"), required=False, widget=DateInput
    )
    storyteller_approved = forms.BooleanField(
        label=_("The storyteller approved this written version"), required=False
    )

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals
        self.fields["referral"].label_from_instance = lambda referral: (
            f"{referral.short_code} · {referral.submitted_at:%Y-%m-%d}"
        )


class DeidentifyForm(PlainTextForm):
    deidentified_text = forms.CharField(
        label=_("De-identified version"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Remove names, places smaller than a state, dates other than the year, "
            "phone numbers, e-mail, record numbers and anything else that could "
            "identify the storyteller."
        ),
    )


class CodeForm(FormTokenForm):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=None)
    excerpt = forms.CharField(
        label=_("Excerpt"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Copy the passage from the de-identified version."),
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes


class StoryFilterForm(PlainTextForm):
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=None, required=False, empty_label=_("Any theme")
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        required=False,
        choices=[("", _("Any domain")), *Story.Domain.choices],
    )
    language = language_filter()

    def __init__(self, data=None, *, themes):
        super().__init__(data)
        self.fields["theme"].queryset = themes

    def filters(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}


class ThemeForm(FormTokenForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class UtilizationUploadForm(FormTokenForm):
    file = forms.FileField(label=_("Extract (CSV)"))

    def clean_file(self):
        return _read_upload(self.cleaned_data["file"], _("extract"))


class UtilizationForm(FormTokenForm):
    mrn = forms.CharField(label=_("Medical record number"), max_length=40)
    period = MonthField(label=_("Month"))
    ed_visits = forms.IntegerField(
        label=_("Emergency visits"), min_value=0, max_value=999
    )
    inpatient_admissions = forms.IntegerField(
        label=_("Inpatient admissions"), min_value=0, max_value=999
    )
    hospital_days = forms.IntegerField(
        label=_("Hospital days"), min_value=0, max_value=999
    )
    readmissions_30d = forms.IntegerField(
        label=_("30-day readmissions"), min_value=0, max_value=999
    )
    primary_care_visits = forms.IntegerField(
        label=_("Primary-care visits"), min_value=0, max_value=999
    )
    hba1c = forms.DecimalField(
        label=_("HbA1c (%)"),
        required=False,
        min_value=3,
        max_value=20,
        decimal_places=1,
    )
    systolic_bp = forms.IntegerField(
        label=_("Systolic blood pressure"), required=False, min_value=60, max_value=260
    )
    diastolic_bp = forms.IntegerField(
        label=_("Diastolic blood pressure"), required=False, min_value=30, max_value=160
    )

    def clean(self):
        data = super().clean()
        admissions = data.get("inpatient_admissions")
        readmissions = data.get("readmissions_30d")
        both = admissions is not None and readmissions is not None
        if both and readmissions > admissions:
            self.add_error(
                "readmissions_30d",
                _("Readmissions cannot exceed inpatient admissions."),
            )
        return data
