from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm, PlainTextModelForm
from chwlink.lib.submissions import FormTokenForm
from partners.access import is_administrator
from partners.calendars import subdivisions
from partners.models import (
    Contract,
    HolidayCountry,
    Organization,
    Partnership,
    PlanTask,
    RequiredTraining,
    Site,
    TrainingSession,
    User,
    Weekday,
)
from partners.pathway_kinds import PathwayKind
from partners.private_files import document_check
from partners.services import partnership_membership_errors


class LanguageForm(PlainTextForm):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


US_TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]


def add_membership_errors(form, cleaned: dict) -> dict:
    """Put the partnership's membership rule beside each field it concerns."""
    errors = partnership_membership_errors(
        health_system=cleaned.get("health_system"),
        cbo=cleaned.get("cbo"),
        clinics=cleaned.get("clinics") or [],
        health_system_contact=cleaned.get("health_system_contact"),
        cbo_contact=cleaned.get("cbo_contact"),
    )
    for field, message in errors.items():
        form.add_error(field, message)
    return cleaned


class PartnershipForm(PlainTextModelForm, FormTokenForm):
    """A partnership's description; clinics and contacts must belong to its partners.

    Editing never offers the organizations: who the partnership joins is fixed
    (they are shown, not posted). Creating, a program manager's own organization
    is fixed as one side and the other is invited: the form offers none of the
    other side's people or clinics, which the inviter may not see before it
    accepts. Every choice offers only what the user may reach.
    """

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(zone, zone) for zone in US_TIME_ZONES],
        initial=Partnership._meta.get_field("time_zone").default,
    )
    business_days = forms.TypedMultipleChoiceField(
        label=_("Business days"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    mfa_required_roles = forms.MultipleChoiceField(
        label=_("Roles that must use two-factor authentication"),
        choices=User.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "People in these roles at either partner must set up an authenticator "
            "app before they can open any page."
        ),
    )

    class Meta:
        model = Partnership
        fields = [
            "name",
            "health_system",
            "cbo",
            "status",
            "population_served",
            "clinics",
            "health_system_contact",
            "cbo_contact",
            "time_zone",
            "business_days",
            "holiday_country",
            "holiday_subdivision",
            "reopen_window_days",
            "started_on",
            "mfa_required_roles",
        ]
        widgets = {
            "clinics": forms.CheckboxSelectMultiple,
            "population_served": forms.Textarea(attrs={"rows": 2}),
            "started_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        administrator = is_administrator(actor)
        if self.instance.pk:
            del self.fields["health_system"], self.fields["cbo"]
            scope = [self.instance.health_system_id, self.instance.cbo_id]
        elif administrator:
            scope = None
        else:
            scope = self._invitation_fields(actor.organization)
        if "status" in self.fields:
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] not in Partnership.UNACCEPTED_STATUSES
            ]
        people = User.objects.filter(is_active=True).select_related("organization")
        sites = Site.objects.select_related("organization")
        if scope is not None:
            people = people.filter(organization_id__in=scope)
            sites = sites.filter(organization_id__in=scope)
        for name, queryset in (
            ("clinics", sites),
            ("health_system_contact", people),
            ("cbo_contact", people),
        ):
            if name in self.fields:
                self.fields[name].queryset = queryset
        if not self.instance.pk:
            self.initial.setdefault("business_days", [0, 1, 2, 3, 4])
            self.initial.setdefault("holiday_country", HolidayCountry.UNITED_STATES)
        # Left empty, the window stays what it was (30 days for a new one).
        self.fields["reopen_window_days"].required = False

    def _invitation_fields(self, own) -> list[int]:
        """Fix the manager's side, offer the other kind of organization, and drop
        the fields that would name the other side's people or clinics."""
        side, other = (
            ("health_system", "cbo")
            if own.is_health_system
            else ("cbo", "health_system")
        )
        self.fields[side].queryset = Organization.objects.filter(pk=own.pk)
        self.fields[side].initial = own.pk
        self.fields[side].empty_label = None
        self.fields[other].queryset = Organization.objects.filter(
            kind=Organization.Kind.CBO
            if own.is_health_system
            else Organization.Kind.HEALTH_SYSTEM
        )
        self.fields[other].label = (
            _("Community-based organization to invite")
            if own.is_health_system
            else _("Health system to invite")
        )
        del self.fields["status"], self.fields[f"{other}_contact"]
        if not own.is_health_system:
            del self.fields["clinics"]
        return [own.pk]

    @property
    def organizations_fixed(self) -> bool:
        return "health_system" not in self.fields

    def clean_holiday_subdivision(self):
        code = self.cleaned_data.get("holiday_subdivision", "").strip().upper()
        country = self.cleaned_data.get("holiday_country", "")
        if code and code not in subdivisions(country):
            raise forms.ValidationError(
                _("%(code)s is not a state or province of the chosen country.")
                % {"code": code}
            )
        return code

    def clean_reopen_window_days(self):
        days = self.cleaned_data.get("reopen_window_days")
        return self.instance.reopen_window_days if days is None else days

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            cleaned["health_system"] = self.instance.health_system
            cleaned["cbo"] = self.instance.cbo
        add_membership_errors(self, cleaned)
        if self.instance.pk:
            del cleaned["health_system"], cleaned["cbo"]
        return cleaned


class ContractForm(PlainTextModelForm, FormTokenForm):
    """A contract's terms and its document; pathway rates are one field per kind."""

    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("PDF, Word (.docx), PNG or JPEG, up to 10 MB."),
    )

    class Meta:
        model = Contract
        fields = [
            "kind",
            "title",
            "status",
            "effective_on",
            "ends_on",
            "signatories",
            "renewal_notice_days",
            *Contract.SERVICE_LEVEL_FIELDS,
            "fee_per_accepted_referral",
            "fee_per_enrolled_patient_month",
            "funded_ftes",
            "monthly_rate_per_fte",
            "cap_per_month",
        ]
        widgets = {
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "signatories": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rates = {}
        if self.instance.pk:
            rates = {r.kind: r.amount for r in self.instance.pathway_rates.all()}
        for kind, label in PathwayKind.choices:
            self.fields[f"rate_{kind}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=10,
                decimal_places=2,
                initial=rates.get(kind),
            )

    @property
    def rate_fields(self):
        return [self[f"rate_{kind}"] for kind in PathwayKind.values]

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            document_check(document)
        return document

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("funded_ftes") is None) != (
            cleaned.get("monthly_rate_per_fte") is None
        ):
            self.add_error(
                "monthly_rate_per_fte",
                _("Give both the funded FTEs and the monthly rate per FTE."),
            )
        return cleaned

    def contract_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}

    def pathway_rates(self) -> dict:
        return {
            kind: self.cleaned_data[f"rate_{kind}"]
            for kind in PathwayKind.values
            if self.cleaned_data.get(f"rate_{kind}") is not None
        }


class PlanTaskForm(PlainTextModelForm, FormTokenForm):
    class Meta:
        model = PlanTask
        fields = ["step", "title", "owner", "due_on", "status", "notes"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class TrainingSessionForm(PlainTextModelForm, FormTokenForm):
    materials_url = forms.URLField(
        label=_("Materials link"), required=False, assume_scheme="https"
    )

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "kind",
            "held_on",
            "trainer",
            "audience",
            "materials_url",
            "attendees",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "attendees": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, partnership, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = Organization.objects.filter(
            pk__in=[partnership.health_system_id, partnership.cbo_id]
        )
        self.fields["attendees"].queryset = people
        self.fields["attendees"].required = False


class RequiredTrainingForm(PlainTextModelForm):
    class Meta:
        model = RequiredTraining
        fields = ["role", "kind", "due_within_days", "renew_every_months"]


class StatementMonthForm(PlainTextForm):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class AuditSearchForm(PlainTextForm):
    """Administrators' search of the access log; every field is optional."""

    user = forms.EmailField(label=_("Person (e-mail)"), required=False)
    patient = forms.CharField(
        label=_("Patient (medical record number or code)"),
        required=False,
        max_length=64,
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}


class ClosedDayForm(PlainTextForm):
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(
        label=_("Why closed"),
        max_length=120,
        help_text=_("For example: staff training day."),
    )
