"""Sending a declined referral on to another CBO of the health system."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from referrals import selectors
from referrals.access import may_reroute
from referrals.forms.rerouting import RerouteForm
from referrals.services import rerouting
from referrals.services.workflow import WorkflowError


def referral_reroute(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    if not may_reroute(request.user, referral):
        raise PermissionDenied
    refusal = rerouting.reroute_refusal(referral)
    advice = rerouting.after_decline(referral)
    # A form sent twice still reaches the service, which finds its first result.
    choices = rerouting.reroute_choices(referral) if advice else []
    form = RerouteForm(
        request.POST if request.method == "POST" else None, choices=choices
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = rerouting.referral_reroute(
                referral=referral,
                actor=request.user,
                partnership=form.cleaned_data["partnership"],
                note=form.cleaned_data["note"],
                consent=form.cleaned_data["consent"],
                form_token=form.one_time_token,
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, reverse("referrals:referral-detail", args=[first.result])
            )
        except WorkflowError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                _("Referral sent on to %(cbo)s. It is waiting in their inbox.")
                % {"cbo": new.partnership.cbo.name},
            )
            return redirect("referrals:referral-detail", code=new.code)
    return render(
        request,
        "referrals/referral_reroute.html",
        {
            "referral": referral,
            "form": form,
            "refusal": refusal,
            "advice": advice,
        },
    )
