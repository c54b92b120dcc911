"""Closing a referral: each need's outcome, then a confirmation of what the
clinic will read, then the closing."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from referrals.forms.closing import ClosingForm
from referrals.screening.selectors import referral_screenings, screening_offers
from referrals.services import workflow
from referrals.services.workflow import TRANSITIONS, WorkflowError

SENTENCES = {
    "complete": _(
        "Referral closed: needs addressed. The clinic can read the outcomes."
    ),
    "close_unable": _("Referral closed as unable to complete. The clinic was told."),
}


def referral_close(request, referral, action):
    """GET: the form. POST: check it and show the confirmation; POST with
    ``confirm``: close. ``change`` goes back to the form with what was typed."""
    transition = TRANSITIONS[action]
    form = ClosingForm(
        request.POST if request.method == "POST" else None,
        transition=transition,
        needs=workflow.needs_to_close(referral),
        initial={"version": referral.version},
    )
    page = "referrals/referral_close.html"
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        closing = {
            "referral": referral,
            "actor": request.user,
            "name": action,
            "outcomes": form.outcomes(),
            "reason_code": form.cleaned_data.get("reason_code", ""),
            "expected_version": form.cleaned_data["version"],
        }
        try:
            if "confirm" not in request.POST:
                workflow.referral_close_check(**closing, note=form.cleaned_data["note"])
                page = "referrals/referral_close_confirm.html"
            else:
                workflow.referral_transition(
                    **closing, reason=form.cleaned_data["note"]
                )
                messages.success(request, str(SENTENCES[action]))
                return redirect("referrals:referral-detail", code=referral.code)
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
    offers = screening_offers(request.user, referral, referral_screenings(referral))
    return render(
        request,
        page,
        {
            "referral": referral,
            "transition": transition,
            "form": form,
            "rescreen": offers["can_rescreen"],
        },
    )
