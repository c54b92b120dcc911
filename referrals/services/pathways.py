"""Pathways: one confirmed need, worked to a resolution, approved by a supervisor."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.models import User
from partners.pathway_kinds import PathwayKind
from referrals.access import may_assign, may_work_pathways
from referrals.choices import OFFERED_RESOURCE_STATUSES, SocialNeed
from referrals.models import (
    CASELOAD_STATUSES,
    Notification,
    Pathway,
    PathwayResource,
    PathwayStep,
    Referral,
    ReferralEvent,
    ResourceService,
)
from referrals.pathways import default_pathway_for, default_steps_keyed
from referrals.services.notifications import (
    notifications_done,
    notify,
    supervisors_of,
)
from referrals.services.workflow import WorkflowError


@dataclass(frozen=True)
class PathwayMove:
    source: str
    target: str
    event: str


Status = Pathway.Status
Event = Pathway.Event
# The pathway's lifecycle after it is opened: every status change is a row here.
PATHWAY_MOVES = {
    "complete": PathwayMove(Status.OPEN, Status.COMPLETED, Event.COMPLETED),
    "close_incomplete": PathwayMove(Status.OPEN, Status.INCOMPLETE, Event.INCOMPLETE),
    "approve": PathwayMove(Status.COMPLETED, Status.APPROVED, Event.APPROVED),
    "return": PathwayMove(Status.COMPLETED, Status.OPEN, Event.RETURNED),
}


def _move(
    *, pathway: Pathway, actor: User, name: str, note: str, changes: dict
) -> bool:
    """The conditional update of one move and its event; False when the pathway
    was no longer in the move's source status."""
    move = PATHWAY_MOVES[name]
    updated = Pathway.objects.filter(pk=pathway.pk, status=move.source).update(
        status=move.target, **changes
    )
    if updated:
        ReferralEvent.objects.create(
            referral_id=pathway.referral_id,
            kind=ReferralEvent.Kind.PATHWAY,
            actor=actor,
            pathway=pathway,
            reason_code=move.event,
            reason=note,
        )
    return bool(updated)


def _check_editable(actor: User, pathway: Pathway) -> None:
    if not may_work_pathways(actor, pathway.referral):
        raise PermissionDenied
    if pathway.status == Pathway.Status.APPROVED:
        raise WorkflowError(_("This pathway is approved and locked."))
    if pathway.status != Pathway.Status.OPEN:
        raise WorkflowError(_("This pathway is closed and can no longer be changed."))


def pathway_permissions(*, actor: User, pathway: Pathway) -> dict:
    """What the actor may do on the pathway's page right now (drives its buttons).

    The assigned navigator and the CBO's supervisors work an open pathway; only a
    supervisor decides on a completed one; an approved pathway is locked for all.
    """
    editable = (
        may_work_pathways(actor, pathway.referral)
        and pathway.status == Pathway.Status.OPEN
    )
    return {
        "can_edit": editable,
        "can_close": editable,
        "can_review": may_assign(actor, pathway.referral)
        and pathway.status == Pathway.Status.COMPLETED,
    }


@claims_form_token
def pathway_open(
    *, referral: Referral, actor: User, need: str, goal: str, kind: str = ""
) -> Pathway:
    """Open a pathway, with its default steps, for a need the navigator confirmed
    with the patient: only while the referral is worked, and only one open pathway
    of each kind per referral."""
    if not may_work_pathways(actor, referral):
        raise PermissionDenied
    if referral.status not in CASELOAD_STATUSES:
        raise WorkflowError(_("Pathways are opened while a referral is worked."))
    if need not in SocialNeed.values:
        raise WorkflowError(_("Choose the need this pathway answers."))
    kind = kind or default_pathway_for(need)
    if kind not in PathwayKind.values:
        raise WorkflowError(_("Choose a pathway."))
    if not goal.strip():
        raise WorkflowError(_("Write the goal of the pathway."))
    try:
        with transaction.atomic():
            pathway = Pathway.objects.create(
                referral=referral,
                partnership_id=referral.partnership_id,
                kind=kind,
                need=need,
                goal=goal.strip(),
                opened_by=actor,
            )
            with translation.override("en"):
                steps = [(key, str(text)) for key, text in default_steps_keyed(kind)]
            PathwayStep.objects.bulk_create(
                PathwayStep(pathway=pathway, position=position, key=key, title=title)
                for position, (key, title) in enumerate(steps, start=1)
            )
            ReferralEvent.objects.create(
                referral=referral,
                kind=ReferralEvent.Kind.PATHWAY,
                actor=actor,
                pathway=pathway,
                reason_code=Event.OPENED,
            )
    except IntegrityError as duplicate:
        raise WorkflowError(
            _("A %(pathway)s pathway is already open for this referral.")
            % {"pathway": Pathway(kind=kind).get_kind_display()}
        ) from duplicate
    return pathway


def _lock_open(pathway: Pathway) -> None:
    """Hold the pathway row until the change commits, so a close or an approval
    happening at the same moment cannot let an edit slip past the lock."""
    still_open = (
        Pathway.objects.select_for_update()
        .filter(pk=pathway.pk, status=Pathway.Status.OPEN)
        .exists()
    )
    if not still_open:
        raise WorkflowError(_("This pathway was closed meanwhile. Reload the page."))


def pathway_step_toggle(
    *, pathway: Pathway, actor: User, step: PathwayStep
) -> PathwayStep:
    """Mark a step of an open pathway done, or not done again."""
    _check_editable(actor, pathway)
    if step.pathway_id != pathway.pk:
        raise PermissionDenied
    done = step.done_at is None
    step.done_at = timezone.now() if done else None
    step.done_by = actor if done else None
    with transaction.atomic():
        _lock_open(pathway)
        step.save(update_fields=["done_at", "done_by"])
        _record(
            pathway, actor, Event.STEP_DONE if done else Event.STEP_UNDONE, step.title
        )
    return step


def _record(pathway: Pathway, actor: User, event: str, what: str) -> None:
    """Work on an open pathway, on its history and the referral's timeline."""
    ReferralEvent.objects.create(
        referral_id=pathway.referral_id,
        kind=ReferralEvent.Kind.PATHWAY,
        actor=actor,
        pathway=pathway,
        reason_code=event,
        reason=what,
    )


@claims_form_token
def pathway_step_add(*, pathway: Pathway, actor: User, title: str) -> PathwayStep:
    """Add a step at the end of an open pathway."""
    _check_editable(actor, pathway)
    title = title.strip()
    if not title:
        raise WorkflowError(_("Write the step first."))
    with transaction.atomic():
        _lock_open(pathway)
        last = pathway.steps.order_by("-position").first()
        return PathwayStep.objects.create(
            pathway=pathway, position=(last.position + 1) if last else 1, title=title
        )


class NotAcceptingUnconfirmed(WorkflowError):
    """The service takes no new clients and the navigator has not confirmed."""


def pathway_resource_link(
    *,
    pathway: Pathway,
    actor: User,
    service: ResourceService,
    note: str = "",
    confirmed: bool = False,
) -> PathwayResource:
    """Link a community resource from the CBO's own directory, once per pathway;
    services that are inactive or closed for good cannot be linked, and one that
    is not accepting new clients only once the navigator confirms."""
    _check_editable(actor, pathway)
    if service.organization.directory_owner_id != pathway.referral.partnership.cbo_id:
        raise PermissionDenied
    if service.status not in OFFERED_RESOURCE_STATUSES:
        raise WorkflowError(_("This service is no longer offered."))
    if service.turns_clients_away and not confirmed:
        raise NotAcceptingUnconfirmed(
            _("%(service)s is not accepting new clients. Link it anyway?")
            % {"service": service.name}
        )
    with transaction.atomic():
        _lock_open(pathway)
        link, created = PathwayResource.objects.get_or_create(
            pathway=pathway,
            service=service,
            defaults={"note": note.strip(), "linked_by": actor},
        )
        if created:
            _record(pathway, actor, Event.RESOURCE_LINKED, service.name)
    if not created:
        raise WorkflowError(_("This resource is already linked to the pathway."))
    return link


def pathway_close(
    *, pathway: Pathway, actor: User, completed: bool, note: str
) -> Pathway:
    """Close as completed (need resolved; awaits approval) or incomplete (reason)."""
    _check_editable(actor, pathway)
    note = note.strip()
    if not completed and not note:
        raise WorkflowError(_("Say why the pathway could not be completed."))
    with transaction.atomic():
        closed = _move(
            pathway=pathway,
            actor=actor,
            name="complete" if completed else "close_incomplete",
            note=note,
            changes={
                "outcome_note": note,
                "closed_by": actor,
                "closed_at": timezone.now(),
            },
        )
        if not closed:
            raise WorkflowError(_("Someone else closed this pathway first."))
        if completed:
            notify(
                kind=Notification.Kind.PATHWAY_TO_APPROVE,
                recipients=supervisors_of(pathway.referral),
                referral=pathway.referral,
                link=reverse("referrals:pathway-detail", args=[pathway.code]),
            )
    pathway.refresh_from_db()
    return pathway


def pathway_review(
    *, pathway: Pathway, actor: User, approve: bool, note: str = ""
) -> Pathway:
    """A supervisor approves a completed pathway (then locked and billable) or
    returns it to the navigator with a note."""
    if not may_assign(actor, pathway.referral):
        raise PermissionDenied
    note = note.strip()
    if not approve and not note:
        raise WorkflowError(_("Tell the navigator what is missing."))
    changes = (
        {"approved_by": actor, "approved_at": timezone.now()}
        if approve
        else {"closed_by": None, "closed_at": None}
    )
    try:
        with transaction.atomic():
            decided = _move(
                pathway=pathway,
                actor=actor,
                name="approve" if approve else "return",
                note=note,
                changes=changes,
            )
            if not decided:
                raise WorkflowError(
                    _("This pathway is not waiting for approval any more.")
                )
            notifications_done(
                referral=pathway.referral,
                kinds=(Notification.Kind.PATHWAY_TO_APPROVE,),
                link=reverse("referrals:pathway-detail", args=[pathway.code]),
            )
    except IntegrityError as duplicate:
        # Returning reopens it, and a pathway of the same kind may have been
        # opened while this one waited.
        raise WorkflowError(
            _(
                "Another %(pathway)s pathway is open for this referral: close it "
                "before returning this one."
            )
            % {"pathway": pathway.get_kind_display()}
        ) from duplicate
    pathway.refresh_from_db()
    return pathway
