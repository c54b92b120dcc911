"""Clinic intake: find or register the patient, draft the referral, send it to the CBO.

Pages that take a code read the object through its scoped selector before checking
the role, so a stranger gets "not found" whatever their role.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from partners.access import allowed, reads_audit
from partners.selectors import clinic_list_for_user
from referrals import selectors
from referrals.access import sees_patient_contact, works_at_cbo, works_at_clinic
from referrals.forms.intake import PatientForm, PatientSearchForm, ReferralForm
from referrals.models import Referral
from referrals.services import intake
from referrals.services.intake import PATIENT_FIELDS, DuplicateMedicalRecordNumber
from referrals.services.workflow import ReferralConflict, WorkflowError

Status = Referral.Status
PAGE_SIZE = 25
# What the last patient search typed, kept server-side so "New patient" can pre-fill
# the form without names or birth dates travelling in a URL.
SEARCH_SESSION_KEY = "intake_patient_search"


def _posted(request):
    """The submitted data on a POST (even an empty one), None otherwise."""
    return request.POST if request.method == "POST" else None


def _require_clinic_staff(user) -> None:
    if not works_at_clinic(user):
        raise PermissionDenied


@allowed(works_at_clinic)
def referral_new(request):
    """Step one: find the patient. A POST form, so names and birth dates stay out
    of the address bar, the browser history and the server logs."""
    form = PatientSearchForm(_posted(request))
    patients = None
    if request.method == "POST" and form.is_valid():
        patients = list(
            selectors.patient_search_for_user(
                user=request.user, query=form.cleaned_data
            )
        )
        request.session[SEARCH_SESSION_KEY] = form.session_data()
    return render(
        request,
        "referrals/referral_new.html",
        {"form": form, "patients": patients},
    )


@allowed(works_at_clinic)
def patient_create(request):
    """Register a patient, after a look at the records that resemble them."""
    prefill = request.GET.get("from") == "search"
    initial = request.session.get(SEARCH_SESSION_KEY, {}) if prefill else {}
    form = PatientForm(_posted(request), initial=initial)
    duplicates = []
    if request.method == "POST":
        valid = form.is_valid()
        # Also on an otherwise invalid form, so the warning and the "different
        # person" box stay on screen while the user fixes another field.
        duplicates = list(
            selectors.patient_likely_duplicates(
                user=request.user, data=form.cleaned_data
            )
        )
        try:
            patient = (
                _save_patient(request, form)
                if valid and form.refuse_duplicates(duplicates)
                else None
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, reverse("referrals:referral-create", args=[first.result])
            )
        if patient is not None:
            request.session.pop(SEARCH_SESSION_KEY, None)
            messages.success(
                request,
                _("%(name)s is registered. Now describe the referral.")
                % {"name": patient.full_name},
            )
            return redirect("referrals:referral-create", patient_code=patient.code)
    return render(
        request,
        "referrals/patient_form.html",
        {"form": form, "duplicates": duplicates, "patient": None},
    )


def patient_detail(request, code):
    patient = selectors.patient_get_for_user(request.user, code)
    referrals = selectors.patient_referrals_for_user(request.user, patient)
    page = page_of(referrals, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "referrals/patient_detail.html",
        {
            "patient": patient,
            "age": _age(patient.date_of_birth),
            "page_obj": page,
            "is_clinic_staff": works_at_clinic(request.user),
            "sees_contact": sees_patient_contact(request.user),
            "sees_evaluation": works_at_cbo(request.user),
            "reads_audit": reads_audit(request.user),
        },
    )


def patient_edit(request, code):
    patient = selectors.patient_get_for_user(request.user, code)
    _require_clinic_staff(request.user)
    form = PatientForm(
        _posted(request),
        initial=model_to_dict(patient, fields=PATIENT_FIELDS),
        duplicates_possible=False,
    )
    saved = (
        request.method == "POST"
        and form.is_valid()
        and _save_patient(request, form, patient=patient) is not None
    )
    if saved:
        messages.success(request, _("The patient's record is updated."))
        return redirect("referrals:patient-detail", code=patient.code)
    return render(
        request,
        "referrals/patient_form.html",
        {"form": form, "duplicates": [], "patient": patient},
    )


def referral_create(request, patient_code):
    patient = selectors.patient_get_for_user(request.user, patient_code)
    _require_clinic_staff(request.user)
    form = ReferralForm(
        _posted(request),
        clinics=clinic_list_for_user(request.user),
        partnerships=selectors.referral_partnerships_for_user(request.user),
        initial={"clinic": request.user.site_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = _save_referral(request, form, patient=patient)
        except AlreadySubmitted as first:
            return already_submitted(
                request, reverse("referrals:referral-detail", args=[first.result])
            )
        if referral is not None:
            return redirect("referrals:referral-detail", code=referral.code)
    open_referrals = selectors.patient_open_referrals_for_user(request.user, patient)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "patient": patient,
            "referral": None,
            "open_referrals": open_referrals,
        },
    )


def referral_edit(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    _require_clinic_staff(request.user)
    if request.method != "POST" and referral.status != Status.DRAFT:
        messages.info(request, _("This referral was submitted: it cannot be edited."))
        return redirect("referrals:referral-detail", code=referral.code)
    form = ReferralForm(
        _posted(request),
        clinics=clinic_list_for_user(request.user),
        partnerships=selectors.referral_partnerships_for_user(request.user),
        editing=True,
        initial=_referral_initial(referral),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_referral(
                request, form, patient=referral.patient, referral=referral
            )
        except AlreadySubmitted:
            return already_submitted(
                request, reverse("referrals:referral-detail", args=[referral.code])
            )
        if saved is not None:
            return redirect("referrals:referral-detail", code=referral.code)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "patient": referral.patient, "referral": referral},
    )


@require_POST
def referral_submit(request, code):
    """The referral page's "Submit to the CBO" button."""
    referral = selectors.referral_get_for_user(request.user, code)
    _require_clinic_staff(request.user)
    try:
        intake.referral_submit(actor=request.user, referral=referral)
    except ReferralConflict as conflict:
        messages.error(request, str(conflict))
    except WorkflowError as refusal:
        messages.error(request, str(refusal))
        if referral.status == Status.DRAFT:
            return redirect("referrals:referral-edit", code=referral.code)
    else:
        messages.success(request, _("The referral is sent to the CBO."))
    return redirect("referrals:referral-detail", code=referral.code)


def _save_patient(request, form, *, patient=None):
    """Create or update the patient; None, with the refusal on the form, if refused."""
    data = form.patient_data()
    try:
        if patient is None:
            return intake.patient_create(
                actor=request.user, data=data, form_token=form.one_time_token
            )
        return intake.patient_update(actor=request.user, patient=patient, data=data)
    except DuplicateMedicalRecordNumber as refusal:
        form.add_error("mrn", str(refusal))
    except WorkflowError as refusal:
        form.add_error(None, str(refusal))
    return None


def _save_referral(request, form, *, patient, referral=None):
    """Save the draft, or save and submit it; None, with the refusal on the form
    (and nothing written), if refused."""
    save = (
        intake.referral_save_and_submit
        if form.submitting
        else intake.referral_save_draft
    )
    try:
        saved = save(
            actor=request.user,
            patient=patient,
            data=form.referral_data(),
            referral=referral,
            form_token=form.one_time_token,
        )
    except intake.PartnershipChoiceNeeded as refusal:
        form.add_error("partnership", str(refusal))
        return None
    except WorkflowError as refusal:
        form.add_error(None, str(refusal))
        return None
    if form.submitting:
        messages.success(request, _("The referral is sent to the CBO."))
    else:
        messages.success(
            request,
            _("Draft saved. It stays with your clinic until you submit it."),
        )
    return saved


def _referral_initial(referral: Referral) -> dict:
    return {
        "clinic": referral.clinic_id,
        "partnership": referral.partnership_id,
        "social_needs": referral.social_needs,
        "medical_reasons": referral.medical_reasons,
        "medical_reason_other": referral.medical_reason_other,
        "urgency": referral.urgency,
        "notes_for_navigator": referral.notes_for_navigator,
        "consent_given": referral.consent_given,
        "version": referral.version,
    }


def _age(date_of_birth: datetime.date) -> int:
    today = timezone.localdate()
    before_birthday = (today.month, today.day) < (
        date_of_birth.month,
        date_of_birth.day,
    )
    return today.year - date_of_birth.year - before_birthday
