"""Searching the community resource directory and keeping its services current."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from chwlink.lib.submissions import FormTokenForm
from partners.languages import LANGUAGE_CHOICES
from referrals import nearby
from referrals.choices import CapacityStatus, ResourceStatus, SocialNeed
from referrals.forms.filters import language_filter, need_filter
from referrals.models import ResourceOrganization, ResourceService
from referrals.schedules import opening_hours_text, parse_opening_hours
from referrals.services.directory import ORGANIZATION_DETAILS, primary_location

MILES = (2, 5, 10, 25, 50, 100)
DEFAULT_MILES = 25


class ResourceFilterForm(PlainTextForm):
    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. pantry, rent, clinic")}
        ),
    )
    need = need_filter()
    language = language_filter(
        help_text=_("Services with interpreters match every language.")
    )
    capacity = forms.ChoiceField(
        label=_("New clients"),
        required=False,
        choices=[("", _("Any")), *CapacityStatus.choices],
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    zip_code = forms.CharField(
        label=_("Near ZIP code"),
        required=False,
        max_length=10,
        help_text=_("Nearest first; only places with coordinates are measured."),
    )
    within = forms.TypedChoiceField(
        label=_("Within"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_MILES,
        choices=[(miles, _("%(miles)d miles") % {"miles": miles}) for miles in MILES],
        initial=DEFAULT_MILES,
    )
    include_inactive = forms.BooleanField(
        label=_("Also show inactive and closed services"), required=False
    )

    def __init__(self, data=None, *, can_manage: bool, now=None):
        super().__init__(data)
        self.now = now
        if not can_manage:
            del self.fields["include_inactive"]

    def clean_zip_code(self):
        typed = self.cleaned_data["zip_code"].strip()
        if typed and nearby.zip_point(typed) is None:
            raise forms.ValidationError(
                _(
                    "chwlink has no location for ZIP code %(zip)s: check it, or ask "
                    "an administrator to load the ZIP code table."
                )
                % {"zip": typed}
            )
        return typed

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        filters = {key: value for key, value in self.cleaned_data.items() if value}
        if filters.pop("open_now", False) and self.now is not None:
            filters["open_at"] = self.now
        if filters.get("zip_code"):
            filters["near"] = nearby.zip_point(filters["zip_code"])
        else:
            filters.pop("within", None)
        return filters


def _text(name, **options):
    """The model field's form field: its label, length limit and help text."""
    return ResourceService._meta.get_field(name).formfield(**options)


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class ResourceServiceForm(FormTokenForm):
    """One service, its organization (chosen or new) and where it is offered."""

    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=ResourceOrganization.objects.none(),
        required=False,
        empty_label=_("New organization"),
    )
    new_organization_name = forms.CharField(
        label=_("New organization name"),
        required=False,
        max_length=200,
        help_text=_("Only when the organization is not in the list yet."),
    )
    organization_phone = forms.CharField(
        label=_("Organization phone"), required=False, max_length=40
    )
    organization_website = forms.URLField(
        label=_("Organization website"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("A web address, e.g. https://example.org"),
    )
    organization_email = forms.EmailField(
        label=_("Organization e-mail"), required=False
    )
    organization_is_public = forms.BooleanField(
        label=_("List this organization publicly"),
        required=False,
        help_text=_(
            "Other organizations' HSDS API keys may then read its services and "
            "locations."
        ),
    )

    name = _text("name")
    description = _text("description", widget=_textarea())
    needs = forms.MultipleChoiceField(
        label=_("Needs it helps with"),
        choices=SocialNeed.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose at least one need.")},
    )
    status = _text("status")
    eligibility = _text("eligibility", widget=_textarea())
    application_process = _text("application_process", widget=_textarea())
    fees = _text("fees")
    hours = _text("hours")
    opening_hours = forms.CharField(
        label=_("Weekly opening hours"),
        required=False,
        max_length=500,
        widget=_textarea(rows=2),
        help_text=_(
            "One line per opening: days then times, e.g. 'MO-FR 09:00-17:00' or "
            "'TU,TH 13:00-19:30'. Days: MO TU WE TH FR SA SU."
        ),
    )
    capacity_status = _text("capacity_status")
    capacity_note = _text("capacity_note")
    open_slots = _text("open_slots")

    languages = forms.MultipleChoiceField(
        label=_("Languages offered"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    interpretation_services = _text("interpretation_services")

    location_name = forms.CharField(
        label=_("Location name"),
        required=False,
        max_length=200,
        help_text=_("E.g. 'Main office' or 'Gateway pantry'."),
    )
    location_address = forms.CharField(
        label=_("Street address"), required=False, max_length=200
    )
    location_city = forms.CharField(label=_("City"), required=False, max_length=100)
    location_state = forms.CharField(label=_("State"), required=False, max_length=40)
    location_postal_code = forms.CharField(
        label=_("ZIP code"), required=False, max_length=12
    )
    location_country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        initial="US",
        help_text=_("Two-letter country code, e.g. US."),
    )
    location_latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90
    )
    location_longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )

    verified_today = forms.BooleanField(
        label=_("I confirmed these details with the provider today"), required=False
    )

    LOCATION_FIELDS = (
        "name",
        "address",
        "city",
        "state",
        "postal_code",
        "country",
        "latitude",
        "longitude",
    )

    def __init__(self, data=None, *, directory_owner_id, service=None):
        super().__init__(data, initial=self._initial_for(service))
        # Only the organizations of the directory being edited can be chosen.
        self.fields["organization"].queryset = ResourceOrganization.objects.filter(
            directory_owner_id=directory_owner_id
        )

    @classmethod
    def _initial_for(cls, service) -> dict:
        if service is None:
            return {"status": ResourceStatus.ACTIVE}
        initial = {
            field: getattr(service, field)
            for field in (
                "name",
                "description",
                "needs",
                "status",
                "eligibility",
                "application_process",
                "fees",
                "hours",
                "capacity_status",
                "capacity_note",
                "open_slots",
                "languages",
                "interpretation_services",
            )
        }
        initial["opening_hours"] = opening_hours_text(service.schedules.all())
        organization = service.organization
        initial["organization"] = organization.pk
        for field in ORGANIZATION_DETAILS:
            initial[f"organization_{field}"] = getattr(organization, field)
        location = primary_location(service)
        if location is not None:
            for field in cls.LOCATION_FIELDS:
                initial[f"location_{field}"] = getattr(location, field)
        return initial

    def clean(self):
        cleaned = super().clean()
        self._clean_organization(cleaned)
        self._clean_location(cleaned)
        return cleaned

    def clean_opening_hours(self):
        try:
            return parse_opening_hours(self.cleaned_data["opening_hours"])
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from problem

    def clean_location_country(self):
        return (self.cleaned_data["location_country"] or "US").strip().upper()

    def _clean_organization(self, cleaned) -> None:
        chosen = cleaned.get("organization")
        new_name = cleaned.get("new_organization_name", "")
        if chosen is None and not new_name and "organization" not in self.errors:
            self.add_error(
                "organization",
                _("Choose an organization, or type the name of a new one below."),
            )
        elif chosen is not None and new_name:
            self.add_error(
                "new_organization_name",
                _("Leave this empty when you choose an organization from the list."),
            )
        elif chosen is None and new_name:
            existing = self.fields["organization"].queryset.filter(
                name__iexact=new_name
            )
            if existing.exists():
                self.add_error(
                    "new_organization_name",
                    _("%(name)s is already in your directory: choose it from the list.")
                    % {"name": new_name},
                )
        # A new organization takes every detail typed; an existing one only the
        # details the user changed, so switching organizations on an edit does
        # not copy the previous organization's phone or website onto it.
        cleaned["organization_details"] = {
            field: cleaned.get(f"organization_{field}", "")
            for field in ORGANIZATION_DETAILS
            if f"organization_{field}" not in self.errors
            and (chosen is None or f"organization_{field}" in self.changed_data)
        }

    def _clean_location(self, cleaned) -> None:
        location = {
            field: cleaned.get(f"location_{field}", "")
            for field in self.LOCATION_FIELDS
        }
        located = [location["latitude"], location["longitude"]]
        if located.count(None) == 1:
            self.add_error(
                "location_longitude" if located[1] is None else "location_latitude",
                _("Give both the latitude and the longitude, or neither."),
            )
        location["country"] = location["country"] or "US"
        typed = [value for key, value in location.items() if key != "country"]
        if any(value not in ("", None) for value in typed) and not location["name"]:
            self.add_error(
                "location_name",
                _("Name the location, e.g. 'Main office', or clear the address."),
            )
        cleaned["location"] = location if location["name"] else None
