"""The navigator's work on a referral: contacts, pathways, and supervisor approval.

Times are read and shown in the partnership's time zone.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from partners.access import allowed
from referrals import selectors
from referrals.access import acts_for, navigates, supervises, works_at_cbo
from referrals.capabilities import referral_capabilities
from referrals.forms.work import (
    EncounterForm,
    PathwayCloseForm,
    PathwayOpenForm,
    PathwayReviewForm,
    PathwayStepForm,
    ResourceLinkForm,
    ResourceSearchForm,
)
from referrals.models import Pathway
from referrals.pathways import suggested_need
from referrals.services import contacts, pathways
from referrals.services.workflow import WorkflowError

PAGE_SIZE = 25
SEARCH_PAGE_SIZE = 10


def _not_now(request, referral, *, allowed: bool, message: str, to: str):
    """Wrong side of the referral → 403; right side but not now → say why (a
    redirect to ``to``), or None when the action is allowed."""
    if not acts_for(request.user, referral):
        raise PermissionDenied
    if allowed:
        return None
    messages.info(request, message)
    return redirect(to)


def _referral_url(referral) -> str:
    return reverse("referrals:referral-detail", kwargs={"code": referral.code})


def _pathway_url(pathway, query: str = "", anchor: str = "") -> str:
    url = reverse("referrals:pathway-detail", kwargs={"code": pathway.code})
    return f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


@allowed(navigates)
def encounter_new(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    refusal = _not_now(
        request,
        referral,
        allowed=referral_capabilities(request.user, referral)["can_log_contact"],
        message=_("Contacts are logged while a referral is worked."),
        to=_referral_url(referral),
    )
    if refusal:
        return refusal
    with timezone.override(referral.partnership.time_zone):
        form = EncounterForm(request.POST or None, referral=referral)
        if request.method == "POST" and form.is_valid():
            try:
                contacts.encounter_log(
                    referral=referral, actor=request.user, **form.cleaned_data
                )
            except AlreadySubmitted:
                return already_submitted(request, _referral_url(referral))
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Contact saved."))
                return redirect(_referral_url(referral))
        return render(
            request,
            "referrals/encounter_form.html",
            {"referral": referral, "form": form},
        )


def _need_asked(request, referral) -> str | None:
    """The need a confirmed screening positive asks a pathway for (``?need=``)."""
    need = request.GET.get("need")
    return need if need in referral.social_needs else None


@allowed(works_at_cbo)
def pathway_new(request, code):
    referral = selectors.referral_get_for_user(request.user, code)
    refusal = _not_now(
        request,
        referral,
        allowed=referral_capabilities(request.user, referral)["can_open_pathway"],
        message=_("Pathways are opened while a referral is worked."),
        to=_referral_url(referral),
    )
    if refusal:
        return refusal
    open_kinds = selectors.open_pathway_kinds(referral)
    form = PathwayOpenForm(
        request.POST or None,
        referral_needs=referral.social_needs,
        open_kinds=open_kinds,
        initial_need=_need_asked(request, referral)
        or suggested_need(referral.social_needs, open_kinds),
    )
    if request.method == "POST" and form.is_valid():
        try:
            pathway = pathways.pathway_open(
                referral=referral, actor=request.user, **form.cleaned_data
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request,
                reverse("referrals:pathway-detail", kwargs={"code": first.result}),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Pathway opened with its usual steps."))
            return redirect(_pathway_url(pathway))
    return render(
        request, "referrals/pathway_form.html", {"referral": referral, "form": form}
    )


WORK_EVENTS = {
    Pathway.Event.STEP_DONE,
    Pathway.Event.STEP_UNDONE,
    Pathway.Event.RESOURCE_LINKED,
}


def _pathway_page(request, pathway, *, status=200, **forms):
    """The pathway page, with any bound form that failed shown with its errors."""
    permissions = pathways.pathway_permissions(actor=request.user, pathway=pathway)
    events = list(pathway.events.select_related("actor").order_by("created", "pk"))
    # The last move of the pathway itself (not a step or a link) tells whether it
    # came back from review.
    moves = [event for event in events if event.reason_code not in WORK_EVENTS]
    returned = moves and moves[-1].reason_code == Pathway.Event.RETURNED
    context = {
        "pathway": pathway,
        "referral": pathway.referral,
        "perms": permissions,
        "events": events,
        "returned_event": moves[-1] if returned else None,
        "linked_ids": {link.service_id for link in pathway.resource_links.all()},
        "step_form": forms.get("step_form") or PathwayStepForm(),
        "link_form": forms.get("link_form"),
        "review_form": forms.get("review_form") or PathwayReviewForm(),
    }
    if permissions["can_edit"]:
        patient = pathway.referral.patient
        search = ResourceSearchForm(
            request.GET,
            need=pathway.need,
            language=patient.preferred_language,
            patient_zip=patient.postal_code,
        )
        services = selectors.resource_list_for_user(
            request.user, filters=search.filters()
        )
        context["search_form"] = search
        context["results"] = page_of(
            services, SEARCH_PAGE_SIZE, request.GET.get("page")
        )
    with timezone.override(pathway.referral.partnership.time_zone):
        return render(request, "referrals/pathway_detail.html", context, status=status)


def pathway_detail(request, code):
    """Everyone who may read the referral reads its pathways; CBO staff work them."""
    pathway = selectors.pathway_get_for_user(request.user, code)
    return _pathway_page(request, pathway)


@require_POST
@allowed(works_at_cbo)
def pathway_step_add(request, code):
    pathway = selectors.pathway_get_for_user(request.user, code)
    form = PathwayStepForm(request.POST)
    if not form.is_valid():
        return _pathway_page(request, pathway, status=400, step_form=form)
    try:
        pathways.pathway_step_add(
            pathway=pathway,
            actor=request.user,
            title=form.cleaned_data["title"],
            form_token=form.one_time_token,
        )
    except AlreadySubmitted:
        return already_submitted(request, _pathway_url(pathway, anchor="steps"))
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect(_pathway_url(pathway, anchor="steps"))


@require_POST
@allowed(works_at_cbo)
def pathway_step_toggle(request, code, step_id):
    pathway = selectors.pathway_get_for_user(request.user, code)
    step = next((step for step in pathway.steps.all() if step.pk == step_id), None)
    if step is None:
        raise Http404
    try:
        pathways.pathway_step_toggle(pathway=pathway, actor=request.user, step=step)
    except WorkflowError as error:
        if _wants_fragment(request):
            return JsonResponse({"error": str(error)}, status=409)
        messages.error(request, str(error))
    else:
        if _wants_fragment(request):
            return _step_fragments(request, pathway, step)
    return redirect(_pathway_url(pathway, anchor=f"step-{step.pk}"))


def _wants_fragment(request) -> bool:
    """The page's script ticks a step in place; without it the form reloads."""
    return request.headers.get("X-CHWLink-Fragment") == "step"


def _step_fragments(request, pathway, step):
    context = {"pathway": pathway, "step": step, "perms": {"can_edit": True}}
    with timezone.override(pathway.referral.partnership.time_zone):
        return JsonResponse(
            {
                "step": render_to_string(
                    "referrals/partials/pathway_step.html", context, request
                ),
                "summary": render_to_string(
                    "referrals/partials/pathway_steps_summary.html", context, request
                ),
            }
        )


@require_POST
@allowed(works_at_cbo)
def pathway_resource_link(request, code):
    """Link a service found by the search; the search stays as it was."""
    pathway = selectors.pathway_get_for_user(request.user, code)
    form = ResourceLinkForm(request.POST)
    if not form.is_valid():
        return _pathway_page(request, pathway, status=400, link_form=form)
    service = selectors.resource_get_for_user(
        request.user, form.cleaned_data["service"]
    )
    try:
        pathways.pathway_resource_link(
            pathway=pathway,
            actor=request.user,
            service=service,
            note=form.cleaned_data["note"],
            confirmed=form.cleaned_data["confirmed"],
        )
    except pathways.NotAcceptingUnconfirmed as question:
        return render(
            request,
            "referrals/pathway_link_confirm.html",
            {
                "pathway": pathway,
                "service": service,
                "form": form,
                "question": question,
            },
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(service)s is linked to the pathway.") % {"service": service}
        )
    return redirect(_pathway_url(pathway, request.GET.urlencode(), "resources"))


@allowed(works_at_cbo)
def pathway_close(request, code):
    pathway = selectors.pathway_get_for_user(request.user, code)
    refusal = _not_now(
        request,
        pathway.referral,
        allowed=pathways.pathway_permissions(actor=request.user, pathway=pathway)[
            "can_close"
        ],
        message=_("This pathway is already closed."),
        to=_pathway_url(pathway),
    )
    if refusal:
        return refusal
    form = PathwayCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        completed = form.cleaned_data["outcome"] == Pathway.Status.COMPLETED
        try:
            pathways.pathway_close(
                pathway=pathway,
                actor=request.user,
                completed=completed,
                note=form.cleaned_data["note"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            done = _("Sent to a supervisor for approval.") if completed else None
            messages.success(request, done or _("Pathway closed as incomplete."))
            return redirect(_pathway_url(pathway))
    return render(
        request, "referrals/pathway_close.html", {"pathway": pathway, "form": form}
    )


@require_POST
@allowed(supervises)
def pathway_review(request, code):
    """Approve a completed pathway (then locked) or return it with a note."""
    pathway = selectors.pathway_get_for_user(request.user, code)
    form = PathwayReviewForm(request.POST)
    if not form.is_valid():
        return _pathway_page(request, pathway, status=400, review_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        pathways.pathway_review(
            pathway=pathway,
            actor=request.user,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        done = _("Approved: the pathway counts as an outcome.") if approve else None
        messages.success(request, done or _("Returned to the navigator."))
    return redirect(_pathway_url(pathway))


@allowed(supervises)
def pathway_approvals(request):
    """Completed pathways of the supervisor's CBO waiting for a decision."""
    waiting = selectors.pathways_awaiting_approval(user=request.user)
    page = page_of(waiting, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [pathway.code for pathway in page]
    return render(request, "referrals/pathway_approvals.html", {"page_obj": page})
