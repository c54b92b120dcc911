import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from chwlink.lib.submissions import FormTokenForm
from partners.models import User
from referrals.choices import StatusReason, Urgency
from referrals.forms.filters import language_filter, need_filter, search_field
from referrals.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    NotificationPreference,
    Referral,
)


class ClinicListFilterForm(PlainTextForm):
    STATUS_GROUPS = {
        "open": OPEN_STATUSES,
        "closed": CLOSED_STATUSES,
        "draft": {Referral.Status.DRAFT},
    }
    q = search_field()
    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=None, required=False, empty_label=_("All clinics")
    )
    show = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All referrals")),
            ("open", _("Open")),
            ("closed", _("Closed")),
            ("draft", _("Drafts")),
            (_("Status"), [c for c in Referral.Status.choices if c[0] != "draft"]),
        ],
    )

    def __init__(self, data=None, *, clinics, default_clinic=None):
        if data is None and default_clinic is not None:
            data = {"clinic": default_clinic.pk}
        super().__init__(data)
        self.fields["clinic"].queryset = clinics

    def filters(self) -> dict:
        """The valid filters (an invalid one shows its error and is left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        group = data.get("show")
        return {
            "clinic": data.get("clinic"),
            "statuses": self.STATUS_GROUPS.get(group, {group} if group else None),
            "q": data.get("q", ""),
        }


class InboxFilterForm(PlainTextForm):
    AGES = [
        ("", _("Any age")),
        ("1", _("Waiting over 1 day")),
        ("3", _("Waiting over 3 days")),
        ("7", _("Waiting over a week")),
    ]
    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=None, required=False, empty_label=_("All clinics")
    )
    language = language_filter()
    need = need_filter()
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *Urgency.choices],
    )
    age = forms.ChoiceField(label=_("Waiting"), required=False, choices=AGES)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, data=None, *, clinics):
        super().__init__(data)
        self.fields["clinic"].queryset = clinics

    def filters(self, now) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        age = data.get("age")
        return {
            "clinic": data.get("clinic"),
            "language": data.get("language"),
            "need": data.get("need"),
            "urgency": data.get("urgency"),
            "submitted_before": now - datetime.timedelta(days=int(age))
            if age
            else None,
            "overdue_only": data.get("overdue"),
        }


class TransitionForm(PlainTextForm):
    """The reason a transition asks for (code from the transition's list, note),
    and the version of the referral the person was looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    reason_code = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    hold_until = forms.DateField(
        label=_("On hold until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("On that day the navigator is reminded to check back."),
    )

    def __init__(self, *args, transition, hold_bounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(StatusReason.choices)
        if transition.needs_reason:
            self.fields["reason_code"].choices = [
                (code, labels[code]) for code in transition.reasons
            ]
        else:
            del self.fields["reason_code"]
        self.hold_bounds = hold_bounds
        if transition.name != "hold" or hold_bounds is None:
            del self.fields["hold_until"]
        else:
            first, last = hold_bounds
            self.fields["hold_until"].widget.attrs |= {
                "min": first.isoformat(),
                "max": last.isoformat(),
            }

    def clean_hold_until(self):
        day = self.cleaned_data.get("hold_until")
        first, last = self.hold_bounds
        if day is not None and not first <= day <= last:
            raise forms.ValidationError(
                _("Choose a day from %(first)s to %(last)s.")
                % {
                    "first": date_format(first, "SHORT_DATE_FORMAT"),
                    "last": date_format(last, "SHORT_DATE_FORMAT"),
                }
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason_code") == StatusReason.OTHER
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Describe the reason."))
        return cleaned


class MessageForm(FormTokenForm):
    text = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the clinic and the CBO on the timeline."),
    )


class NavigatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, navigator):
        return navigator.get_full_name()


class AssignForm(PlainTextForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    navigator = NavigatorChoiceField(
        label=_("Navigator"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    reason = forms.CharField(
        label=_("Why is the referral moving?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, navigators, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["navigator"].queryset = User.objects.filter(
            pk__in=[navigator.pk for navigator in navigators]
        )
        if reason_required:
            # Required, so the label carries the required mark like every other.
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Say why the referral moves."
            )
        else:
            del self.fields["reason"]


class ShareForm(PlainTextForm):
    navigator = NavigatorChoiceField(
        label=_("Share with"), queryset=None, empty_label=None
    )

    def __init__(self, *args, navigators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["navigator"].queryset = User.objects.filter(
            pk__in=[navigator.pk for navigator in navigators]
        )


class NotificationPreferenceForm(PlainTextForm):
    email_mode = forms.ChoiceField(
        label=_("E-mail me about notifications"),
        choices=NotificationPreference.EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=_("E-mails never name patients: they link to the page in chwlink."),
    )
