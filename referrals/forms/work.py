"""Forms for the navigator's work: contacts, pathways and their review."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chwlink.lib.forms import PlainTextForm
from chwlink.lib.submissions import FormTokenForm
from partners.pathway_kinds import PathwayKind
from referrals import nearby
from referrals.choices import ContactMode, SocialNeed
from referrals.forms.filters import language_filter, need_filter
from referrals.models import Pathway
from referrals.pathways import default_pathway_for
from referrals.services.contacts import FUTURE_TOLERANCE, MAX_MINUTES, MIN_MINUTES

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
YES_NO = [("yes", _("Yes, we talked")), ("no", _("No, not reached"))]


class EncounterForm(FormTokenForm):
    """A contact attempt or visit. Times are read and shown in the time zone the
    view activates (the partnership's)."""

    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
    )
    mode = forms.ChoiceField(
        label=_("How"),
        choices=ContactMode.choices,
        initial=ContactMode.PHONE,
        widget=forms.RadioSelect,
    )
    reached = forms.TypedChoiceField(
        label=_("Did you reach the patient?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label=_("Minutes spent"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        help_text=_(
            "Your time for this contact, including preparation and follow-up. "
            "It counts as navigator time for the month."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Working notes: only your CBO's staff can read them."),
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].initial = now
        self.fields["occurred_at"].help_text = _("Local time (%(zone)s).") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("The contact cannot be in the future."))
        sent = self.referral.submitted_at
        if sent and occurred_at < sent - FUTURE_TOLERANCE:
            raise forms.ValidationError(
                _("The referral was sent on %(sent)s: the contact cannot be earlier.")
                % {"sent": date_format(timezone.localtime(sent), "DATETIME_FORMAT")}
            )
        return occurred_at


def _need_choices(referral_needs: list[str]) -> list:
    """Needs labelled with their usual pathway, the referral's own needs first."""
    kinds = dict(PathwayKind.choices)
    labelled = [
        (need, format_lazy("{} → {}", label, kinds[default_pathway_for(need)]))
        for need, label in SocialNeed.choices
    ]
    on_referral = [choice for choice in labelled if choice[0] in referral_needs]
    others = [choice for choice in labelled if choice[0] not in referral_needs]
    if not on_referral:
        return others
    return [(_("Needs on the referral"), on_referral), (_("Other needs"), others)]


class PathwayOpenForm(FormTokenForm):
    need = forms.ChoiceField(
        label=_("Need confirmed with the patient"),
        help_text=_("Open a pathway only for a need the patient confirmed to you."),
    )
    kind = forms.ChoiceField(
        label=_("Pathway"),
        required=False,
        choices=[("", _("The usual pathway for this need")), *PathwayKind.choices],
        help_text=_("Change it only when another standard pathway fits better."),
    )
    goal = forms.CharField(
        label=_("Goal"),
        max_length=300,
        help_text=_(
            "What will be true when the need is resolved, e.g. “The family has "
            "enough food every day”."
        ),
    )

    def __init__(self, *args, referral_needs, open_kinds, initial_need="", **kwargs):
        super().__init__(*args, **kwargs)
        self.open_kinds = open_kinds
        self.fields["need"].choices = _need_choices(referral_needs)
        self.fields["need"].initial = initial_need

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("need") and not cleaned.get("kind"):
            cleaned["kind"] = default_pathway_for(cleaned["need"])
        kind = cleaned.get("kind")
        if kind in self.open_kinds:
            self.add_error(
                "kind",
                _("A %(pathway)s pathway is already open for this referral.")
                % {"pathway": PathwayKind(kind).label},
            )
        return cleaned


class PathwayStepForm(FormTokenForm):
    title = forms.CharField(label=_("New step"), max_length=200)


class ResourceSearchForm(PlainTextForm):
    """Search the CBO's directory for a pathway; defaults to the pathway's need and
    the patient's language."""

    need = need_filter()
    language = language_filter()
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    near_patient = forms.BooleanField(
        label=_("Near the patient's ZIP code, nearest first"), required=False
    )

    def __init__(self, data=None, *, need, language, patient_zip=""):
        if not data or not {"need", "language", "q"} & set(data):
            data = {"need": need, "language": language, "q": ""}
        super().__init__(data)
        self.patient_point = nearby.zip_point(patient_zip)
        if self.patient_point is None:
            del self.fields["near_patient"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        filters = {key: value for key, value in self.cleaned_data.items() if value}
        if filters.pop("near_patient", False):
            filters["near"] = self.patient_point
        return filters


class ResourceLinkForm(PlainTextForm):
    service = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("E.g. an appointment time or a contact person."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PathwayCloseForm(PlainTextForm):
    OUTCOMES = [
        (Pathway.Status.COMPLETED, _("Completed: the need is resolved")),
        (Pathway.Status.INCOMPLETE, _("Incomplete: the need could not be resolved")),
    ]
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "How the need was resolved, or why it could not be (required then). "
            "Clinic staff can read it."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") == Pathway.Status.INCOMPLETE
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", _("Say why the pathway could not be completed."))
        return cleaned


class PathwayReviewForm(PlainTextForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return to the navigator"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note to the navigator"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the pathway: say what is missing."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Tell the navigator what is missing."))
        return cleaned
