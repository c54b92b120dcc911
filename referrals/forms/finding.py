"""The filters of *All referrals*: every field optional; a bad value is refused
beside its field while the other filters still apply."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from chwlink.lib.row_choices import RowChoiceField
from referrals.choices import Urgency
from referrals.finding import DEFAULT_SORT, SORTS
from referrals.forms.filters import language_filter, need_filter, search_field
from referrals.forms.intake import DateInput
from referrals.models import Referral

Status = Referral.Status


def status_choices(*groups) -> list:
    """Any status, the groups given, then each status a sent referral can have."""
    statuses = [(value, label) for value, label in Status.choices if value != "draft"]
    return [
        ("", _("Any status")),
        (_("Groups"), list(groups)),
        (_("Status"), statuses),
    ]


class PersonChoiceField(RowChoiceField):
    def options(self, queryset):
        for code, first_name, last_name, is_active in queryset.values_list(
            "code", "first_name", "last_name", "is_active"
        ):
            name = f"{first_name} {last_name}".strip()  # as User.get_full_name
            if not is_active:
                name = _("%(name)s (no longer active)") % {"name": name}
            yield (str(code), name)


class ClinicChoiceField(RowChoiceField):
    def options(self, queryset):
        for code, name in queryset.values_list("code", "name"):
            yield (str(code), name)


class AllReferralsFilterForm(PlainTextForm):
    q = search_field()
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=status_choices(
            ("open", _("Open")),
            ("caseload", _("With a navigator")),
            ("closed", _("Closed")),
        ),
    )
    navigator = PersonChoiceField(
        label=_("Navigator"),
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("Any navigator"),
    )
    clinic = ClinicChoiceField(
        label=_("Clinic"),
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("All clinics"),
    )
    need = need_filter()
    language = language_filter()
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *Urgency.choices],
    )
    sent_from = forms.DateField(
        label=_("Sent from"), required=False, widget=DateInput()
    )
    sent_to = forms.DateField(label=_("Sent until"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
    )

    def __init__(self, data=None, *, navigators, clinics):
        super().__init__(data)
        self.fields["navigator"].queryset = navigators
        self.fields["clinic"].queryset = clinics

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("sent_from"), cleaned.get("sent_to")
        if start and end and end < start:
            self.add_error("sent_to", _("Choose a day on or after the first one."))
        return cleaned

    def filters(self) -> dict:
        """The filters to apply: the valid ones (an invalid field is left out and
        shows its error)."""
        if not self.is_bound:
            return {"sort": DEFAULT_SORT}
        self.is_valid()
        return {"sort": DEFAULT_SORT} | {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }
