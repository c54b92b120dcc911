"""The referral page every role shares, and the actions started from it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from referrals import selectors
from referrals.capabilities import referral_capabilities
from referrals.forms.referral import MessageForm, TransitionForm
from referrals.services import workflow
from referrals.services.workflow import CLOSINGS, TRANSITIONS, WorkflowError
from referrals.views.closing import referral_close
from referrals.views.texting import texting_context


def referral_detail(request, code):
    referral = selectors.referral_detail_for_user(request.user, code)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "can": referral_capabilities(request.user, referral),
            "message_form": MessageForm(),
            **texting_context(request, referral),
        },
    )


def referral_transition(request, code, action):
    """Accept, decline, hold, resume, cancel or mark in error; closing has its
    own pages (``referrals.views.closing``)."""
    referral = selectors.referral_get_for_user(request.user, code)
    action = action.replace("-", "_")
    if action not in workflow.MANUAL_TRANSITIONS:
        raise Http404
    if action in CLOSINGS:
        return referral_close(request, referral, action)
    transition = TRANSITIONS[action]
    form = TransitionForm(
        request.POST if request.method == "POST" else None,
        transition=transition,
        hold_bounds=workflow.hold_until_bounds(referral),
        initial={"version": referral.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.referral_transition(
                referral=referral,
                actor=request.user,
                name=action,
                reason_code=form.cleaned_data.get("reason_code", ""),
                reason=form.cleaned_data.get("reason", ""),
                hold_until=form.cleaned_data.get("hold_until"),
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, transition.done)
            return redirect("referrals:referral-detail", code=referral.code)
    return render(
        request,
        "referrals/referral_transition.html",
        {"referral": referral, "transition": transition, "form": form},
    )


@require_POST
def referral_message(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            workflow.referral_message_add(
                referral=referral,
                actor=request.user,
                text=form.cleaned_data["text"],
                form_token=form.one_time_token,
            )
        except AlreadySubmitted:
            return already_submitted(
                request, reverse("referrals:referral-detail", args=[referral.code])
            )
        except WorkflowError as refusal:
            form.add_error("text", str(refusal))
        else:
            return redirect("referrals:referral-detail", code=referral.code)
    referral = selectors.referral_detail_for_user(request.user, code)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "can": referral_capabilities(request.user, referral),
            "message_form": form,
            **texting_context(request, referral),
        },
        status=400,
    )
