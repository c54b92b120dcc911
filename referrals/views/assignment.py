"""Supervisors choose the navigator: suggestions ranked by language, then caseload."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partners.access import allowed
from referrals import selectors
from referrals.access import supervises
from referrals.capabilities import referral_capabilities
from referrals.capacity import capacity_for
from referrals.forms.referral import AssignForm, ShareForm
from referrals.services import assignment
from referrals.services.workflow import WorkflowError


@allowed(supervises)
def referral_assign(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    can = referral_capabilities(request.user, referral)
    if not (can["can_assign"] or can["can_reassign"]):
        messages.info(request, _("This referral cannot be assigned now."))
        return redirect("referrals:referral-detail", code=referral.code)
    navigators = list(selectors.navigator_suggestions(referral=referral))
    reassigning = can["can_reassign"]
    form = AssignForm(
        request.POST or None,
        navigators=navigators,
        reason_required=reassigning,
        initial={"version": referral.version},
    )
    if request.method == "POST" and form.is_valid():
        navigator = form.cleaned_data["navigator"]
        give, reason = (
            (assignment.referral_reassign, {"reason": form.cleaned_data["reason"]})
            if reassigning
            else (assignment.referral_assign, {})
        )
        try:
            give(
                referral=referral,
                actor=request.user,
                navigator=navigator,
                expected_version=form.cleaned_data["version"],
                **reason,
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("%(name)s now has this referral.") % {"name": navigator.first_name},
            )
            return redirect("referrals:referral-detail", code=referral.code)
    return render(
        request,
        "referrals/referral_assign.html",
        {
            "referral": referral,
            "form": form,
            "navigators": navigators,
            "reassigning": reassigning,
            # A reassignment moves a referral that already counts.
            "capacity": None if reassigning else capacity_for(referral.partnership),
        },
    )


@allowed(supervises)
def referral_share(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    navigators = [
        navigator
        for navigator in selectors.navigator_suggestions(referral=referral)
        if navigator.pk != referral.navigator_id
    ]
    form = ShareForm(request.POST or None, navigators=navigators)
    if request.method == "POST" and form.is_valid():
        try:
            assignment.referral_share(
                referral=referral,
                actor=request.user,
                navigator=form.cleaned_data["navigator"],
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _(
                    "Shared with %(name)s, who now sees this referral; "
                    "the assigned navigator keeps it."
                )
                % {"name": form.cleaned_data["navigator"].get_full_name()},
            )
            return redirect("referrals:referral-detail", code=referral.code)
    return render(
        request,
        "referrals/referral_share.html",
        {"referral": referral, "form": form},
    )
