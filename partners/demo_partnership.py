"""Demo data for setting up the Cascade partnership: contracts with service levels,
a payment agreement, the implementation plan, trainings and an issued statement for
every month of the payment agreement that has ended.

Idempotent: run it as often as you like (``seed_demo`` calls it after the referrals).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partners import services, statements
from partners.models import (
    Contract,
    Partnership,
    PlanTask,
    TrainingKind,
    User,
)
from partners.statements import zone_of

PARTNERSHIP = "Cascade Health + Familias Unidas"


def _contracts(partnership, manager, start):
    end = start.replace(year=start.year + 2) - datetime.timedelta(days=1)
    signed = Contract.Status.SIGNED
    contracts = [
        {
            "kind": Contract.Kind.SERVICE,
            "title": "Navigator services agreement",
            "status": signed,
            "effective_on": start,
            "ends_on": end,
            "signatories": "Morgan Price, Program Manager, Cascade Health\n"
            "Sofia Ramirez, Director, Familias Unidas",
            "renewal_notice_days": 90,
            "accept_business_days": 1,
            "assign_business_days": 1,
            "first_contact_business_days": 3,
            "inactive_days": 14,
            "max_active_referrals": 60,
        },
        {
            "kind": Contract.Kind.DATA_SHARING,
            "title": "Business associate agreement",
            "status": signed,
            "effective_on": start,
            "ends_on": end,
            "signatories": "Compliance officers of both partners",
        },
        {
            "kind": Contract.Kind.PAYMENT,
            "title": "Payment agreement 2026",
            "status": signed,
            "effective_on": start,
            "ends_on": end,
            "signatories": "Chief financial officers of both partners",
            "renewal_notice_days": 60,
            "fee_per_accepted_referral": Decimal("150.00"),
            "fee_per_enrolled_patient_month": Decimal("75.00"),
            "funded_ftes": Decimal("2.00"),
            "monthly_rate_per_fte": Decimal("5000.00"),
            "cap_per_month": Decimal("11000.00"),
        },
    ]
    for data in contracts:
        existing = partnership.contracts.filter(title=data["title"]).first()
        if existing is None:
            services.contract_save(actor=manager, partnership=partnership, data=data)
    payment = partnership.contracts.get(title="Payment agreement 2026")
    if not payment.pathway_rates.exists():
        services.pathway_rates_set(
            actor=manager,
            contract=payment,
            rates={
                "transportation": Decimal("400.00"),
                "food_security": Decimal("350.00"),
                "housing": Decimal("600.00"),
                "health_coverage": Decimal("300.00"),
            },
        )


def _plan(partnership, manager, supervisor, today):
    services.plan_create_default(partnership=partnership)
    if partnership.plan_tasks.filter(status=PlanTask.Status.DONE).exists():
        return
    tasks = list(partnership.plan_tasks.order_by("step", "position"))
    for task in tasks:
        data = {"owner": manager if task.step != 5 else supervisor}
        if task.step <= 3:
            data |= {"status": PlanTask.Status.DONE, "due_on": today.replace(day=1)}
        elif task.step == 4:
            data["due_on"] = today - datetime.timedelta(days=10 * task.position)
            if task.position == 1:
                data["status"] = PlanTask.Status.DONE
        elif task.step == 5:
            data["due_on"] = today + datetime.timedelta(days=7 * task.position - 10)
            data["status"] = PlanTask.Status.IN_PROGRESS
        else:
            data["due_on"] = today + datetime.timedelta(days=60)
        services.plan_task_update(actor=manager, task=task, data=data)


def _trainings(partnership, manager, today):
    people = {user.email: user for user in User.objects.filter(is_active=True)}
    for role, kind, days, renew in [
        (User.Role.NAVIGATOR, TrainingKind.CHW_ORIENTATION, 30, None),
        (User.Role.NAVIGATOR, TrainingKind.CLINIC_PROTOCOLS, 90, 12),
        (User.Role.CLINIC_STAFF, TrainingKind.WORKING_WITH_CHWS, 60, None),
        (User.Role.CLINIC_STAFF, TrainingKind.CULTURAL_COMPETENCE, 60, 12),
    ]:
        services.required_training_save(
            actor=manager,
            partnership=partnership,
            data={
                "role": role,
                "kind": kind,
                "due_within_days": days,
                "renew_every_months": renew,
            },
        )
    sessions = [
        (
            "Orientation to Cascade clinic protocols",
            TrainingKind.CHW_ORIENTATION,
            today - datetime.timedelta(days=75),
            "Morgan Price",
            partnership.cbo,
            ["navigator@example.org", "supervisor@example.org"],
        ),
        (
            "Working with community health workers",
            TrainingKind.WORKING_WITH_CHWS,
            today - datetime.timedelta(days=40),
            "Sofia Ramirez",
            partnership.health_system,
            ["clinic@example.org", "manager@example.org"],
        ),
    ]
    for title, kind, held_on, trainer, audience, emails in sessions:
        if partnership.training_sessions.filter(title=title).exists():
            continue
        services.training_session_save(
            actor=manager,
            partnership=partnership,
            data={
                "title": title,
                "kind": kind,
                "held_on": held_on,
                "trainer": trainer,
                "audience": audience,
                "materials_url": "https://example.org/training/materials",
                "attendees": [people[email] for email in emails if email in people],
            },
        )


def seed_partnership_setup() -> None:
    partnership = Partnership.objects.get(name=PARTNERSHIP)
    manager = User.objects.get(email="manager@example.org")
    supervisor = User.objects.get(email="supervisor@example.org")
    today = timezone.localdate(timezone=zone_of(partnership))
    start = partnership.started_on or today.replace(month=1, day=1)
    with transaction.atomic():
        services.partnership_update(
            actor=manager,
            partnership=partnership,
            data={
                "clinics": list(partnership.health_system.sites.all()),
                "health_system_contact": manager,
                "cbo_contact": supervisor,
            },
        )
        _contracts(partnership, manager, start)
        _plan(partnership, manager, supervisor, today)
        _trainings(partnership, manager, today)
        if not partnership.statements.exists():
            # A statement for every month of the payment agreement that has
            # ended, oldest first (each must be later than every issued one).
            month = start.replace(day=1)
            while month < today.replace(day=1):
                statements.statement_issue(
                    actor=manager, partnership=partnership, period_start=month
                )
                month = (month + datetime.timedelta(days=32)).replace(day=1)
