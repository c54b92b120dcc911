"""Screening pages: run an instrument with the patient (clinic intake, the
navigator's first contact, the rescreen at closing), report one done elsewhere,
and read a screening and confirm its positives as the referral's needs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.languages import LANGUAGE_CHOICES
from referrals import selectors
from referrals.access import (
    may_review_screening_needs,
    may_screen,
    may_work_pathways,
    works_at_clinic,
)
from referrals.forms.screening import ElsewhereForm, NeedsReviewForm, ScreeningForm
from referrals.models import CASELOAD_STATUSES, Screening
from referrals.screening import selectors as screening_selectors
from referrals.screening import services
from referrals.screening.definition import Instrument
from referrals.screening.presentation import answer_rows, domain_rows
from referrals.services.workflow import WorkflowError

Setting = Screening.Setting
DEFAULT_INSTRUMENT = "ahc-hrsn-core"


def _setting(user, screenings) -> str:
    if works_at_clinic(user):
        return Setting.INTAKE
    first = [s for s in screenings if s.setting != Setting.CLOSURE]
    return Setting.CLOSURE if first else Setting.FIRST_CONTACT


def _instrument_row(request, setting, screenings):
    """A rescreen repeats the first screening's instrument; otherwise the one
    chosen, or the AHC core items."""
    if setting == Setting.CLOSURE:
        first = next((s for s in screenings if s.instrument_id), None)
        code = first.instrument.code if first else None
    else:
        code = request.GET.get("instrument") or DEFAULT_INSTRUMENT
    row = screening_selectors.instrument_offered(code) if code else None
    if row is None:
        raise PermissionDenied
    return row


def _language(request, patient, instrument: Instrument) -> tuple[str, str]:
    """The language the patient asked for, and the one the questions are worded
    in (English where the instrument has no wording in theirs)."""
    wanted = request.GET.get("language") or patient.preferred_language
    if wanted not in dict(LANGUAGE_CHOICES):
        wanted = patient.preferred_language
    return wanted, wanted if wanted in instrument.languages else "en"


def screening_new(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    screenings = screening_selectors.referral_screenings(referral)
    setting = _setting(request.user, screenings)
    if not may_screen(request.user, referral, setting):
        raise PermissionDenied
    row = _instrument_row(request, setting, screenings)
    instrument = screening_selectors.instrument_of(row)
    language, worded_in = _language(request, referral.patient, instrument)
    posted = request.POST if request.method == "POST" else None
    private = (posted or request.GET).get("asked_privately") in ("True", "yes", "on")
    form = ScreeningForm(
        posted, instrument=instrument, language=worded_in, private=private
    )
    if posted is not None and form.is_valid():
        try:
            screening = services.screening_record(
                actor=request.user,
                referral=referral,
                instrument=row,
                version=form.cleaned_data["version"],
                setting=setting,
                language=language,
                answers=form.answers(),
                asked_privately=form.cleaned_data["asked_privately"],
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The screening is recorded."))
            return redirect("referrals:screening-detail", code=screening.code)
    return render(
        request,
        "referrals/screening_form.html",
        {
            "referral": referral,
            "form": form,
            "instrument": instrument,
            "row": row,
            "setting": setting,
            "offered": screening_selectors.instruments_offered()
            if setting != Setting.CLOSURE
            else [],
            "language": language,
            "worded_in": worded_in,
            "has_private": any(item.private for item in instrument.items),
            "private": private,
        },
    )


def screening_elsewhere(request, code):
    """The clinic reports a screening done elsewhere: its date and positives."""
    referral = selectors.referral_get_for_user(request.user, code)
    if not may_screen(request.user, referral, Setting.INTAKE):
        raise PermissionDenied
    form = ElsewhereForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.screening_elsewhere_record(
                actor=request.user, referral=referral, **form.cleaned_data
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The screening done elsewhere is recorded."))
            return redirect("referrals:screening-detail", code=screening.code)
    return render(
        request,
        "referrals/screening_elsewhere.html",
        {"referral": referral, "form": form},
    )


def _review_form(user, screening, data=None):
    proposed = services.proposed_needs(screening)
    if screening.needs_reviewed_at or not proposed:
        return None
    if not may_review_screening_needs(user, screening):
        return None
    return NeedsReviewForm(
        data,
        proposed=proposed,
        initial={"version": screening.referral.version},
    )


def _detail(request, screening, review_form, status=200):
    referral = screening.referral
    instrument = (
        screening_selectors.instrument_of(screening.instrument)
        if screening.instrument_id
        else None
    )
    opens_pathways = may_work_pathways(request.user, referral) and (
        referral.status in CASELOAD_STATUSES
    )
    return render(
        request,
        "referrals/screening_detail.html",
        {
            "screening": screening,
            "referral": referral,
            "instrument": instrument,
            "answers": answer_rows(screening, instrument) if instrument else [],
            "domains": domain_rows(screening),
            "review_form": review_form,
            "opens_pathways": opens_pathways,
            "suggest_do_not_contact": services.suggests_do_not_contact(screening),
        },
        status=status,
    )


def screening_detail(request, code):
    screening = screening_selectors.screening_get_for_user(request.user, code)
    return _detail(request, screening, _review_form(request.user, screening))


@require_POST
def screening_needs(request, code):
    """Add the positives confirmed with the patient to the referral's needs."""
    screening = screening_selectors.screening_get_for_user(request.user, code)
    form = _review_form(request.user, screening, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            services.screening_needs_review(
                actor=request.user,
                screening=screening,
                confirmed=form.cleaned_data["confirmed"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            if screening.setting == Setting.INTAKE:
                messages.success(
                    request,
                    _(
                        "The needs are on the draft. Check the referral and submit "
                        "it to the CBO."
                    ),
                )
                return redirect("referrals:referral-edit", code=screening.referral.code)
            messages.success(request, _("The needs are confirmed on the referral."))
            return redirect("referrals:screening-detail", code=screening.code)
    return _detail(request, screening, form, status=400)
