"""Scoped reads of organizations, partnerships and people."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from partners.access import is_administrator
from partners.models import (
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


def partnership_list_for_user(user) -> QuerySet[Partnership]:
    """Partnerships the user's organization belongs to; administrators see all."""
    queryset = Partnership.objects.select_related("health_system", "cbo")
    if is_administrator(user):
        return queryset
    return queryset.of_organization(user.organization_id)


def clinic_list_for_user(user) -> QuerySet[Site]:
    """Clinics of the user's health system."""
    return Site.objects.filter(
        organization_id=user.organization_id,
        organization__kind=Organization.Kind.HEALTH_SYSTEM,
    )


def partnership_get_for_user(user, code) -> Partnership:
    """A partnership the user's organization belongs to (any for administrators)."""
    partnership = partnership_list_for_user(user).filter(code=code).first()
    if partnership is None:
        raise Http404
    return partnership


def partnership_people(partnership) -> QuerySet[User]:
    """Active people of both partners."""
    return User.objects.filter(
        organization_id__in=[partnership.health_system_id, partnership.cbo_id],
        is_active=True,
    ).select_related("organization")


def partnership_detail_for_user(user, code) -> Partnership:
    partnership = (
        partnership_list_for_user(user)
        .select_related("health_system_contact", "cbo_contact")
        .prefetch_related("clinics")
        .filter(code=code)
        .first()
    )
    if partnership is None:
        raise Http404
    return partnership


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
    partnerships = partnership_list_for_user(user)
    contract = (
        Contract.objects.select_related("partnership")
        .filter(code=code, partnership__in=partnerships)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


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
    task = (
        PlanTask.objects.select_related("partnership")
        .filter(code=code, partnership__in=partnership_list_for_user(user))
        .first()
    )
    if task is None:
        raise Http404
    return task


def statement_list_for_partnership(partnership) -> QuerySet[Statement]:
    return partnership.statements.select_related("issued_by").annotate(
        line_count=Count("lines")
    )


def statement_get_for_user(user, code) -> Statement:
    statement = (
        Statement.objects.select_related(
            "partnership__health_system",
            "partnership__cbo",
            "contract",
            "issued_by",
        )
        .filter(code=code, partnership__in=partnership_list_for_user(user))
        .first()
    )
    if statement is None:
        raise Http404
    return statement


def statement_lines(statement) -> QuerySet[StatementLine]:
    return statement.lines.select_related("referral", "pathway", "patient")


def training_session_list(partnership) -> QuerySet[TrainingSession]:
    return partnership.training_sessions.select_related("audience").annotate(
        attendee_count=Count("attendance")
    )


def training_session_get_for_user(user, code) -> TrainingSession:
    session = (
        TrainingSession.objects.select_related("partnership", "audience")
        .filter(code=code, partnership__in=partnership_list_for_user(user))
        .first()
    )
    if session is None:
        raise Http404
    return session


def required_training_get_for_user(user, code) -> RequiredTraining:
    rule = (
        RequiredTraining.objects.select_related("partnership")
        .filter(code=code, partnership__in=partnership_list_for_user(user))
        .first()
    )
    if rule is None:
        raise Http404
    return rule


def training_status_for_people(partnership, people) -> list[dict]:
    """For each person: trainings completed and each required one's standing.

    Two queries whatever the number of people: the rules, and the sessions each
    person attended (the people are passed in, already loaded).
    """
    people = list(people)
    rules = list(partnership.required_trainings.all())
    attended = (
        TrainingAttendance.objects.filter(
            session__partnership=partnership, person__in=[p.pk for p in people]
        )
        .select_related("session")
        .order_by("-session__held_on")
    )
    sessions_by_person = {}
    for attendance in attended:
        sessions_by_person.setdefault(attendance.person_id, []).append(
            attendance.session
        )
    today = timezone.localdate()
    return [
        {
            "person": person,
            "sessions": sessions_by_person.get(person.pk, []),
            "required": [
                required_standing(
                    rule, person, sessions_by_person.get(person.pk, []), today
                )
                for rule in rules
                if rule.role == person.role
            ],
        }
        for person in people
    ]
