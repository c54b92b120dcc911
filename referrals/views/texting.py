"""Texts on the referral page: send one, record consent, note a visit; and the
received texts whose number matched no single patient."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from partners.selectors import partnership_detail_for_user
from referrals import selectors
from referrals.access import sets_texting, works_at_cbo
from referrals.forms.texting import (
    ConsentForm,
    TextForm,
    TextingSettingsForm,
    VisitForm,
)
from referrals.models import TextMessage
from referrals.services.workflow import WorkflowError
from referrals.texting import consent, conversation
from referrals.texting.partnership_settings import texting_settings_update

TEXTS_PER_PAGE = 25


def texting_context(request, referral) -> dict:
    """The texts card of the referral page, for the CBO's side only."""
    if not conversation.sees_texts(request.user, referral):
        return {}
    return {
        "texting": conversation.texting_panel(
            request.user,
            referral,
            template=request.GET.get("text", ""),
            resource_code=request.GET.get("resource"),
        )
    }


def _back(referral):
    return redirect(
        reverse("referrals:referral-detail", args=[referral.code]) + "#texts"
    )


@require_POST
def referral_text_send(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    if not conversation.may_text(request.user, referral):
        raise PermissionDenied
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            conversation.text_send_to_patient(
                actor=request.user,
                referral=referral,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
                form_token=form.one_time_token,
            )
        except AlreadySubmitted:
            return already_submitted(
                request, reverse("referrals:referral-detail", args=[code])
            )
        except WorkflowError as refusal:
            form.add_error("body", str(refusal))
        else:
            messages.success(request, _("The text is on its way to the patient."))
            return _back(referral)
    return render(
        request,
        "referrals/text_form.html",
        {"referral": referral, "form": form},
        status=400,
    )


@require_POST
def referral_text_consent(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    if not consent.may_record_consent(request.user, referral):
        raise PermissionDenied
    form = ConsentForm(request.POST)
    if form.is_valid() and referral.patient.phone:
        consent.consent_record(
            actor=request.user,
            referral=referral,
            given=form.cleaned_data["given"],
            method=form.cleaned_data["method"],
        )
        messages.success(request, _("The patient's answer about texts is recorded."))
    else:
        messages.error(
            request,
            _(
                "Choose the patient's answer and how they gave it (and check the "
                "patient has a phone number)."
            ),
        )
    return _back(referral)


@require_POST
def referral_visit_new(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    if not conversation.may_text(request.user, referral):
        raise PermissionDenied
    with timezone.override(referral.partnership.time_zone):
        form = VisitForm(request.POST)
        if form.is_valid():
            conversation.visit_schedule(
                actor=request.user,
                referral=referral,
                starts_at=form.cleaned_data["starts_at"],
            )
            messages.success(request, _("The visit is scheduled."))
        else:
            messages.error(request, " ".join(form.errors.get("starts_at", [])))
    return _back(referral)


def _may_match(user):
    if not works_at_cbo(user):
        raise PermissionDenied


def texts_to_match(request):
    """Received texts of the user's CBO whose number matches no single patient,
    each with the referrals of the patients who have that number."""
    _may_match(request.user)
    page = page_of(
        TextMessage.objects.filter(
            partnership__cbo_id=request.user.organization_id,
            direction=TextMessage.Direction.IN,
            referral__isnull=True,
        ).order_by("-created", "-pk"),
        TEXTS_PER_PAGE,
        request.GET.get("page"),
    )
    unmatched = list(page.object_list)
    phones = {m.phone.as_e164 for m in unmatched}
    candidates = {}
    if phones:
        found = (
            selectors.referral_list_for_user(request.user)
            .filter(patient__phone__in=phones)
            .select_related("patient", "partnership")
        ) | selectors.referral_list_for_user(request.user).filter(
            patient__phone_alt__in=phones
        ).select_related("patient", "partnership")
        for referral in found:
            for phone in {referral.patient.phone, referral.patient.phone_alt}:
                if phone:
                    candidates.setdefault(phone.as_e164, []).append(referral)
    rows = [
        (
            m,
            [
                r
                for r in candidates.get(m.phone.as_e164, [])
                if r.partnership_id == m.partnership_id
            ],
        )
        for m in unmatched
    ]
    return render(
        request, "referrals/texts_to_match.html", {"rows": rows, "page_obj": page}
    )


@require_POST
def text_match(request, code):
    _may_match(request.user)
    message = get_object_or_404(
        TextMessage,
        code=code,
        partnership__cbo_id=request.user.organization_id,
        direction=TextMessage.Direction.IN,
    )
    try:
        referral_code = uuid.UUID(request.POST.get("referral", "").strip())
    except ValueError:
        messages.error(request, _("Choose whose text it is."))
        return redirect("referrals:texts-to-match")
    referral = selectors.referral_get_for_user(request.user, referral_code)
    try:
        conversation.text_match(actor=request.user, message=message, referral=referral)
    except WorkflowError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The text is now on the patient's referral."))
    return redirect("referrals:texts-to-match")


def texting_settings(request, code):
    """The partnership's program managers choose when texts go out and which
    automatic texts it sends."""
    partnership = partnership_detail_for_user(request.user, code)
    if not sets_texting(request.user, partnership):
        raise PermissionDenied
    texting = consent.texting_settings(partnership)
    form = None
    if texting is not None:
        form = TextingSettingsForm(request.POST or None, instance=texting)
        if request.method == "POST" and form.is_valid():
            texting_settings_update(
                actor=request.user, texting=texting, data=form.cleaned_data
            )
            messages.success(request, _("Texting settings saved."))
            return redirect("partners:partnership-detail", code=partnership.code)
    return render(
        request,
        "referrals/texting_settings.html",
        {"partnership": partnership, "texting": texting, "form": form},
    )
