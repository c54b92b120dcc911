"""Scoped reads of organizations, partnerships and people."""

import datetime
import zoneinfo
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners.access import is_administrator
from partners.models import (
    BillingMethod,
    Contract,
    Organization,
    Partnership,
    PlanTask,
    RequiredTraining,
    Site,
    Statement,
    StatementLine,
    TrainingAttendance,
    TrainingSession,
    User,
)
from partners.training import required_standing


def partnership_and_invitation_list_for_user(user) -> QuerySet[Partnership]:
    """Partnerships the user's organization belongs to, with the invitations it
    sent or received (open or declined); administrators see all."""
    queryset = Partnership.objects.select_related(
        "health_system", "cbo", "inviting_organization"
    )
    if is_administrator(user):
        return queryset
    return queryset.of_organization(user.organization_id)


def partnership_list_for_user(user) -> QuerySet[Partnership]:
    """Accepted partnerships the user's organization belongs to (any for
    administrators): an invitation has no contracts, plan, training or people to
    show until the other side accepts it."""
    return partnership_and_invitation_list_for_user(user).accepted()


def invitation_list_for_user(user) -> QuerySet[Partnership]:
    """Open invitations the user's organization sent or must answer."""
    return partnership_and_invitation_list_for_user(user).filter(
        status=Partnership.Status.INVITED
    )


def clinic_list_for_user(user) -> QuerySet[Site]:
    """Clinics of the user's health system."""
    return Site.objects.filter(
        organization_id=user.organization_id,
        organization__kind=Organization.Kind.HEALTH_SYSTEM,
    )


def partnership_get_for_user(user, code) -> Partnership:
    """A partnership the user's organization belongs to (any for administrators)."""
    return get_object_or_404(partnership_list_for_user(user), code=code)


def partnership_people(partnership) -> QuerySet[User]:
    """Active people of both partners."""
    return User.objects.filter(
        organization_id__in=[partnership.health_system_id, partnership.cbo_id],
        is_active=True,
    ).select_related("organization")


def partnership_detail_for_user(user, code) -> Partnership:
    """A partnership or an invitation of the user's organization (any for
    administrators)."""
    partnerships = (
        partnership_and_invitation_list_for_user(user)
        .select_related("health_system_contact", "cbo_contact")
        .prefetch_related("clinics")
    )
    return get_object_or_404(partnerships, code=code)


def contract_list_for_partnership(partnership) -> QuerySet[Contract]:
    return partnership.contracts.prefetch_related("pathway_rates")


def _signed_on(on, *, with_service_levels) -> QuerySet[Contract]:
    contracts = Contract.objects.filter(
        status=Contract.Status.SIGNED, effective_on__lte=on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    if with_service_levels:
        contracts = contracts.filter(
            Q(
                *(
                    Q(**{f"{name}__isnull": False})
                    for name in Contract.SERVICE_LEVEL_FIELDS
                ),
                _connector=Q.OR,
            )
        )
    return contracts


def contract_in_force(partnership, *, on=None, with_service_levels=False):
    """The latest signed contract whose dates cover the day (default: today)."""
    on = on or timezone.localdate()
    contracts = _signed_on(on, with_service_levels=with_service_levels)
    return (
        contracts.filter(partnership=partnership)
        .order_by("-effective_on", "-pk")
        .first()
    )


def contracts_in_force(
    partnerships, *, on=None, with_service_levels=False
) -> dict[int, Contract]:
    """``contract_in_force`` of each partnership, by its id, in one query."""
    on = on or timezone.localdate()
    contracts = (
        _signed_on(on, with_service_levels=with_service_levels)
        .filter(partnership__in=list(partnerships))
        .order_by("partnership_id", "-effective_on", "-pk")
        .distinct("partnership_id")
    )
    return {contract.partnership_id: contract for contract in contracts}


def contract_get_for_user(user, code) -> Contract:
    contracts = Contract.objects.select_related("partnership").filter(
        partnership__in=partnership_list_for_user(user)
    )
    return get_object_or_404(contracts, code=code)


def plan_task_list(partnership) -> QuerySet[PlanTask]:
    return partnership.plan_tasks.select_related("owner")


def plan_step_summary(partnership) -> list[dict]:
    """The six steps, each with its label and counts of tasks, done and overdue."""
    progress = plan_progress(partnership)
    return [
        {
            "number": number,
            "label": label,
            **progress.get(number, {"total": 0, "done": 0, "overdue": 0}),
        }
        for number, label in PlanTask.Step.choices
    ]


def plan_progress(partnership) -> dict:
    """Per step: tasks, done and overdue counts, in one query."""
    today = timezone.localdate()
    rows = (
        partnership.plan_tasks.order_by()
        .values("step")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=PlanTask.Status.DONE)),
            overdue=Count(
                "pk", filter=Q(due_on__lt=today) & ~Q(status=PlanTask.Status.DONE)
            ),
        )
    )
    return {row["step"]: row for row in rows}


def plan_task_get_for_user(user, code) -> PlanTask:
    tasks = PlanTask.objects.select_related("partnership").filter(
        partnership__in=partnership_list_for_user(user)
    )
    return get_object_or_404(tasks, code=code)


def statement_list_for_partnership(partnership) -> QuerySet[Statement]:
    return partnership.statements.select_related("issued_by")


def statement_get_for_user(user, code) -> Statement:
    statements = Statement.objects.select_related(
        "partnership__health_system",
        "partnership__cbo",
        "contract",
        "issued_by",
    ).filter(partnership__in=partnership_list_for_user(user))
    return get_object_or_404(statements, code=code)


def statement_lines(statement) -> QuerySet[StatementLine]:
    return statement.lines.select_related("referral", "pathway", "patient")


def statement_patient_codes(statement) -> QuerySet:
    """The codes of the patients a statement's lines name, each once."""
    return (
        statement.lines.exclude(patient=None)
        .order_by()
        .values_list("patient__code", flat=True)
        .distinct()
    )


def statement_totals_by_method(statement) -> list[tuple[str, int, Decimal]]:
    """(method label, number of lines, amount) per payment method of a stored
    statement, in method order, summed in the database."""
    totals = {
        row["method"]: (row["count"], row["amount"])
        for row in statement.lines.order_by()
        .values("method")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    }
    return [
        (label, *totals[value])
        for value, label in BillingMethod.choices
        if value in totals
    ]


def training_session_list(partnership) -> QuerySet[TrainingSession]:
    return partnership.training_sessions.select_related("audience").annotate(
        attendee_count=Count("attendance")
    )


def training_session_get_for_user(user, code) -> TrainingSession:
    sessions = TrainingSession.objects.select_related("partnership", "audience").filter(
        partnership__in=partnership_list_for_user(user)
    )
    return get_object_or_404(sessions, code=code)


def required_training_get_for_user(user, code) -> RequiredTraining:
    rules = RequiredTraining.objects.select_related("partnership").filter(
        partnership__in=partnership_list_for_user(user)
    )
    return get_object_or_404(rules, code=code)


def _sessions_by_person(partnership_ids, person_ids) -> dict[tuple, list]:
    """Sessions each person attended, newest first, by (partnership id, person id)."""
    attended = (
        TrainingAttendance.objects.filter(
            session__partnership_id__in=partnership_ids, person_id__in=person_ids
        )
        .select_related("session")
        .order_by("-session__held_on")
    )
    sessions = {}
    for attendance in attended:
        key = (attendance.session.partnership_id, attendance.person_id)
        sessions.setdefault(key, []).append(attendance.session)
    return sessions


def training_status_for_people(partnership, people) -> list[dict]:
    """For each person: trainings completed and each required one's standing.

    Two queries whatever the number of people: the rules, and the sessions each
    person attended (the people are passed in, already loaded).
    """
    people = list(people)
    rules = list(partnership.required_trainings.all())
    sessions = _sessions_by_person([partnership.pk], [p.pk for p in people])
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(partnership.time_zone))
    rows = []
    for person in people:
        attended = sessions.get((partnership.pk, person.pk), [])
        required = [
            required_standing(rule=rule, person=person, sessions=attended, today=today)
            for rule in rules
            if rule.role == person.role
        ]
        rows.append({"person": person, "sessions": attended, "required": required})
    return rows


class _Attended(NamedTuple):
    """A session a person attended, as much of it as a standing reads."""

    kind: str
    held_on: datetime.date


def overdue_training(partnerships, *, today_by_partnership: dict) -> list[tuple]:
    """``(partnership, person, standing)`` for every required training overdue in
    the partnerships, each judged on its own local date: three queries for all.

    Only the people a rule names are read, and their sessions as plain rows: the
    reminder sweep runs this every time, over thousands of people."""
    partnerships = {p.pk: p for p in partnerships}
    rules = {}
    for rule in RequiredTraining.objects.filter(partnership_id__in=partnerships):
        rules.setdefault((rule.partnership_id, rule.role), []).append(rule)
    # (organization, role) -> the partnerships with a rule for that role.
    bound = {}
    for partnership_id, role in rules:
        partnership = partnerships[partnership_id]
        for organization_id in (partnership.health_system_id, partnership.cbo_id):
            bound.setdefault((organization_id, role), []).append(partnership)
    if not bound:
        return []
    people = list(
        User.objects.filter(
            organization_id__in={organization for organization, _ in bound},
            role__in={role for _, role in bound},
            is_active=True,
        )
    )
    attended = {}
    for partnership_id, person_id, kind, held_on in (
        TrainingAttendance.objects.filter(
            session__partnership_id__in=partnerships,
            person_id__in=[person.pk for person in people],
        )
        .order_by("-session__held_on")
        .values_list(
            "session__partnership_id", "person_id", "session__kind", "session__held_on"
        )
    ):
        attended.setdefault((partnership_id, person_id), []).append(
            _Attended(kind, held_on)
        )
    overdue = []
    for person in people:
        for partnership in bound.get((person.organization_id, person.role), ()):
            sessions = attended.get((partnership.pk, person.pk), [])
            today = today_by_partnership[partnership.pk]
            for rule in rules[(partnership.pk, person.role)]:
                standing = required_standing(
                    rule=rule, person=person, sessions=sessions, today=today
                )
                if standing.is_overdue:
                    overdue.append((partnership, person, standing))
    return overdue
