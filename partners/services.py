"""Writes about people and messages to them."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.access import (
    is_administrator,
    manages_partnerships,
    may_edit_partnership,
)
from partners.mfa import mfa_policy_changed
from partners.models import (
    ClosedDay,
    Contract,
    Partnership,
    PathwayRate,
    PlanTask,
    RequiredTraining,
    TrainingAttendance,
    TrainingSession,
    User,
)
from partners.plan import DEFAULT_TASKS
from partners.private_files import document_check


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language so it follows the user to every device."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            forms.ChoiceField.default_error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": language},
        )
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def user_deactivate(*, user: User) -> None:
    """Deactivate an account and end every session it has open."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        user_sessions_end(user=user)


def user_sessions_end(*, user: User) -> None:
    """End every session the user has open, on every device."""
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.purge_and_list(user):
        session.end()


def user_session_track(sender, request, user, **kwargs) -> None:
    """List every signed-in session, however it began (connected to user_logged_in).

    allauth lists the sessions its own sign-in starts; the admin's sign-in page
    starts sessions too, and sign-out must be able to end those as well. A sign-in
    without a client address (a test's force_login) has nothing to list.
    """
    from allauth.usersessions.models import UserSession

    if request is not None and request.META.get("REMOTE_ADDR"):
        UserSession.objects.create_from_request(request)


def user_sessions_end_on_sign_out(sender, request, user, **kwargs) -> None:
    """Signing out on one device signs out everywhere (connected to user_logged_out).

    An idle timeout ends only the idle session: the session middleware marks it.
    """
    if user is None or getattr(request, "chwlink_session_expired", False):
        return
    user_sessions_end(user=user)


# Partnerships, contracts, statements, the implementation plan and training.


def _check_editor(actor: User, partnership: Partnership) -> None:
    if not may_edit_partnership(actor, partnership):
        raise PermissionDenied


def partnership_membership_errors(
    *,
    health_system,
    cbo,
    clinics=(),
    health_system_contact=None,
    cbo_contact=None,
) -> dict[str, str]:
    """What is wrong with who belongs to a partnership, by field: its clinics are
    the health system's, and each side's contact is one of that side's people."""
    errors = {}
    if health_system and any(
        site.organization_id != health_system.pk for site in clinics
    ):
        errors["clinics"] = _("Choose clinics of the health system.")
    for field, person, organization in (
        ("health_system_contact", health_system_contact, health_system),
        ("cbo_contact", cbo_contact, cbo),
    ):
        if person and organization and person.organization_id != organization.pk:
            errors[field] = _("Choose someone of %(org)s.") % {"org": organization}
    return errors


def _check_membership(partnership: Partnership, clinics) -> None:
    errors = partnership_membership_errors(
        health_system=partnership.health_system,
        cbo=partnership.cbo,
        clinics=list(clinics if clinics is not None else partnership.clinics.all()),
        health_system_contact=partnership.health_system_contact,
        cbo_contact=partnership.cbo_contact,
    )
    if errors:
        raise ValidationError(errors)


def _check_invitation_reach(actor: User, partnership: Partnership, clinics) -> None:
    """A manager's proposal names nothing of the other organization but itself:
    until it accepts, the inviting side sees none of its people or clinics."""
    own = actor.organization_id
    if partnership.health_system_contact_id and partnership.health_system_id != own:
        raise PermissionDenied
    if partnership.cbo_contact_id and partnership.cbo_id != own:
        raise PermissionDenied
    if clinics and partnership.health_system_id != own:
        raise PermissionDenied


def partnership_create(*, actor: User, data: dict) -> Partnership:
    """Create a partnership with its default six-step implementation plan.

    A program manager can only create partnerships of their own organization, and
    what they create is an invitation: it starts only when the other organization
    accepts it (``partners.invitations``). An administrator, acting for both,
    creates the partnership itself.
    """
    if not manages_partnerships(actor):
        raise PermissionDenied
    clinics = data.pop("clinics", [])
    partnership = Partnership(**data)
    if not may_edit_partnership(actor, partnership):
        raise PermissionDenied
    if not is_administrator(actor):
        _check_invitation_reach(actor, partnership, clinics)
        partnership.status = Partnership.Status.INVITED
        partnership.inviting_organization_id = actor.organization_id
        partnership.invited_by = actor
    elif partnership.status in Partnership.UNACCEPTED_STATUSES:
        raise PermissionDenied
    _check_membership(partnership, clinics)
    with transaction.atomic():
        partnership.save()
        partnership.clinics.set(clinics)
        plan_create_default(partnership=partnership)
        partnership_mfa_policy_changed(partnership=partnership)
    return partnership


# Who the partnership joins is fixed once it exists: moving it would move every
# referral, patient and note of it to another organization.
FIXED_PARTNERSHIP_FIELDS = ("health_system", "cbo")


def partnership_update(
    *, actor: User, partnership: Partnership, data: dict
) -> Partnership:
    """Change a partnership's description, clinics, contacts and status.

    Its organizations never change here (an administrator moves them in the
    Django admin, after a confirmation), an invitation is only answered
    (``partners.invitations``), and no edit makes a partnership an invitation.
    """
    # The stored row, not the instance: a bound form has already copied what was
    # posted onto the instance it was given.
    stored = Partnership.objects.get(pk=partnership.pk)
    _check_editor(actor, stored)
    if not stored.is_accepted:
        raise PermissionDenied
    for field in FIXED_PARTNERSHIP_FIELDS:
        if field in data and getattr(stored, f"{field}_id") != getattr(
            data[field], "pk", data[field]
        ):
            raise PermissionDenied
    if data.get("status") in Partnership.UNACCEPTED_STATUSES:
        raise PermissionDenied
    data = {k: v for k, v in data.items() if k not in FIXED_PARTNERSHIP_FIELDS}
    clinics = data.pop("clinics", None)
    for field, value in data.items():
        setattr(partnership, field, value)
    _check_membership(partnership, clinics)
    with transaction.atomic():
        partnership.save()
        if clinics is not None:
            partnership.clinics.set(clinics)
        partnership_mfa_policy_changed(partnership=partnership)
    return partnership


def partnership_mfa_policy_changed(*, partnership: Partnership) -> None:
    """A partnership saved may require MFA of more people on either side: their
    sessions check the policy again on their next request."""
    mfa_policy_changed(
        organization_ids={partnership.health_system_id, partnership.cbo_id}
    )


@claims_form_token
def contract_save(
    *,
    actor: User,
    partnership: Partnership,
    data: dict,
    contract=None,
    document=None,
    rates: dict | None = None,
) -> Contract:
    """Create or update a contract; a new document replaces the old file, and
    ``rates`` ({pathway kind: amount}) replace its rates per pathway, all or
    nothing."""
    _check_editor(actor, partnership)
    contract = contract or Contract(partnership=partnership)
    if contract.partnership_id != partnership.pk:
        raise PermissionDenied
    for field, value in data.items():
        setattr(contract, field, value)
    old_document = contract.document.name if contract.pk else ""
    with transaction.atomic():
        if document is not None:
            contract.document_type = document_check(document)
            contract.document_name = document.name[-200:]
            contract.document.save(document.name, document, save=False)
        contract.save()
        if rates is not None:
            pathway_rates_set(actor=actor, contract=contract, rates=rates)
        if document is not None and old_document:
            storage = contract.document.storage
            transaction.on_commit(lambda: storage.delete(old_document))
    return contract


def pathway_rates_set(*, actor: User, contract: Contract, rates: dict) -> None:
    """Replace a payment agreement's rates per pathway kind ({kind: amount})."""
    _check_editor(actor, contract.partnership)
    with transaction.atomic():
        contract.pathway_rates.exclude(kind__in=list(rates)).delete()
        for kind, amount in rates.items():
            PathwayRate.objects.update_or_create(
                contract=contract, kind=kind, defaults={"amount": amount}
            )


def plan_create_default(*, partnership: Partnership) -> None:
    """Give a partnership the model's default tasks (once: existing steps are kept)."""
    existing = set(partnership.plan_tasks.values_list("step", flat=True))
    PlanTask.objects.bulk_create(
        PlanTask(partnership=partnership, step=step, position=position, title=title)
        for step, titles in DEFAULT_TASKS.items()
        if step not in existing
        for position, title in enumerate(titles, start=1)
    )


def _task_fields_apply(task: PlanTask, data: dict) -> None:
    for field, value in data.items():
        setattr(task, field, value)
    if task.status == PlanTask.Status.DONE and task.completed_at is None:
        task.completed_at = timezone.now()
    elif task.status != PlanTask.Status.DONE:
        task.completed_at = None


@claims_form_token
def plan_task_add(*, actor: User, partnership: Partnership, data: dict) -> PlanTask:
    """Add a task at the end of its step."""
    _check_editor(actor, partnership)
    with transaction.atomic():
        Partnership.objects.select_for_update().get(pk=partnership.pk)
        last = (
            partnership.plan_tasks.filter(step=data["step"])
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        task = PlanTask(partnership=partnership, position=(last or 0) + 1)
        _task_fields_apply(task, data)
        task.save()
    return task


def plan_task_update(*, actor: User, task: PlanTask, data: dict) -> PlanTask:
    _check_editor(actor, task.partnership)
    if "step" in data and data["step"] != task.step:
        last = (
            task.partnership.plan_tasks.filter(step=data["step"])
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        task.position = (last or 0) + 1
    _task_fields_apply(task, data)
    task.save()
    return task


def plan_task_complete(*, actor: User, task: PlanTask) -> PlanTask:
    return plan_task_update(
        actor=actor, task=task, data={"status": PlanTask.Status.DONE}
    )


def plan_task_move(*, actor: User, task: PlanTask, up: bool) -> None:
    """Swap a task with its neighbour in the same step (no-op at either end)."""
    _check_editor(actor, task.partnership)
    with transaction.atomic():
        Partnership.objects.select_for_update().get(pk=task.partnership_id)
        siblings = list(
            task.partnership.plan_tasks.filter(step=task.step).order_by(
                "position", "pk"
            )
        )
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == task.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position
        PlanTask.objects.bulk_update(siblings, ["position"])


@claims_form_token
def training_session_save(
    *, actor: User, partnership: Partnership, data: dict, session=None
) -> TrainingSession:
    """Record a training session and who attended (people of either partner)."""
    _check_editor(actor, partnership)
    attendees = data.pop("attendees", None)
    session = session or TrainingSession(partnership=partnership)
    for field, value in data.items():
        setattr(session, field, value)
    with transaction.atomic():
        session.save()
        if attendees is not None:
            allowed = {partnership.health_system_id, partnership.cbo_id}
            if any(person.organization_id not in allowed for person in attendees):
                raise PermissionDenied
            session.attendance.exclude(person__in=attendees).delete()
            TrainingAttendance.objects.bulk_create(
                [TrainingAttendance(session=session, person=p) for p in attendees],
                ignore_conflicts=True,
            )
    return session


def required_training_save(
    *, actor: User, partnership: Partnership, data: dict
) -> RequiredTraining:
    """Require a training of a role (updating the rule when it exists)."""
    _check_editor(actor, partnership)
    rule, _created = RequiredTraining.objects.update_or_create(
        partnership=partnership,
        role=data["role"],
        kind=data["kind"],
        defaults={
            "due_within_days": data["due_within_days"],
            "renew_every_months": data.get("renew_every_months"),
        },
    )
    return rule


def required_training_remove(*, actor: User, rule: RequiredTraining) -> None:
    _check_editor(actor, rule.partnership)
    rule.delete()


def closed_day_add(
    *, actor: User, partnership: Partnership, day, name: str
) -> ClosedDay:
    """A day the partnership does not work: no longer a business day for its
    service levels. Its program managers and administrators add them; a day
    already closed is refused, not added twice (even by two people at once)."""
    _check_editor(actor, partnership)
    try:
        with transaction.atomic():
            return ClosedDay.objects.create(
                partnership=partnership, day=day, name=name.strip(), added_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            {"day": _("This day is already closed.")}, code="closed"
        ) from None


def closed_day_remove(*, actor: User, closed_day: ClosedDay) -> None:
    """The day is a business day again (if it is a weekday the partnership works
    and no public holiday)."""
    _check_editor(actor, closed_day.partnership)
    ClosedDay.objects.filter(pk=closed_day.pk).delete()
