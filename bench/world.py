"""The organizations and people of a statewide deployment, sized for a number of
referrals: partnerships of Zipf-like sizes (the largest about 13 % of referrals at
20 partnerships), health systems with clinics and their staff, CBOs with navigators
and supervisors, program managers on both sides, contracts with service levels and
payment terms, the implementation plan, trainings and the resource directory.

These tables are small (hundreds to a few thousand rows), so they go through the
ORM's ``bulk_create``; the referrals and what hangs off them use COPY.
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from evaluation.models import Theme
from partners import services
from partners.models import (
    Contract,
    Organization,
    Partnership,
    PathwayRate,
    RequiredTraining,
    Site,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
    User,
)
from partners.pathway_kinds import PathwayKind
from referrals.choices import ResourceStatus, SocialNeed
from referrals.models import (
    NotificationPreference,
    ResourceLocation,
    ResourceOrganization,
    ResourceService,
)

Role = User.Role
BENCH_DOMAIN = "@bench.example.org"
BENCH_PREFIX = "Bench "
# Partnership sizes follow 1/rank**0.5: with 20 partnerships the largest has 13 %.
ZIPF_EXPONENT = 0.5
# The statewide deployment of the issue: 200 clinics and 2,000 navigators at 1M.
CLINICS_PER_MILLION = 200
NAVIGATORS_PER_MILLION = 2000
NAVIGATORS_PER_SUPERVISOR = 40
REFERRALS_PER_CLINIC_STAFF = 1000
PATIENTS_PER_REFERRAL = 0.3
HISTORY_DAYS = 730
# "!" marks an unusable password: the runner signs people in with force_login.
UNUSABLE_PASSWORD = "!bench"  # noqa: S105

REGIONS = [
    "Willamette", "Cascade", "Klamath", "Umpqua", "Rogue", "Columbia", "Deschutes",
    "Coquille", "Siuslaw", "Malheur", "Umatilla", "Wallowa", "Santiam", "Tualatin",
    "Clackamas", "Yamhill", "Siskiyou", "Nehalem", "Owyhee", "Crooked River",
    "Metolius", "Sandy", "Nestucca", "Alsea",
]  # fmt: skip
CBO_NAMES = [
    "Familias Unidas", "Community Bridges", "Puentes", "Neighbors Together",
    "Casa de la Comunidad", "Healthy Roots", "Open Door Navigators",
    "Hand in Hand", "Camino Verde", "Unite Oregon Health", "Harvest Helpers",
    "Compass Community", "Pathfinders", "Lazos", "Home Circle",
]  # fmt: skip
FIRST_NAMES = [
    "Ana", "Luis", "María", "José", "Linh", "Minh", "Olga", "Amina", "Fatima",
    "David", "Sarah", "Grace", "Tomás", "Rosa", "Carlos", "Elena", "Ivan", "Hana",
    "Kim", "Noor", "Pedro", "Lucía", "Sofía", "Mateo", "Chen", "Wei", "Yusuf",
    "Abdi", "Marta", "Jorge", "Leila", "Nadia", "Omar", "Ruth", "Samuel", "Teresa",
    "Victor", "Yolanda", "Zoe", "Alex", "Jordan", "Taylor", "Morgan", "Casey",
]  # fmt: skip
LAST_NAMES = [
    "García", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Nguyen", "Tran", "Le", "Pham",
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
    "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
    "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Hassan",
    "Ali", "Mohamed", "Ivanova", "Petrov", "Kowalski", "Chen", "Wang", "Li",
    "Kim", "Park", "Castillo", "Mendoza", "Delgado", "Morales", "Ortiz", "Cruz",
]  # fmt: skip
# A navigator's second language, after English.
NAVIGATOR_LANGUAGES = [
    ("es", 45), ("", 30), ("vi", 6), ("zh", 4), ("ru", 4), ("so", 3), ("ar", 3),
    ("uk", 2), ("fr", 1), ("pt", 1), ("ht", 1),
]  # fmt: skip
RESOURCE_KINDS = [
    ("Food Pantry", [SocialNeed.FOOD_INSECURITY]),
    ("Meal Program", [SocialNeed.FOOD_INSECURITY]),
    ("Rent Assistance", [SocialNeed.HOUSING_INSTABILITY, SocialNeed.HOMELESSNESS]),
    ("Housing Repair", [SocialNeed.INADEQUATE_HOUSING]),
    ("Shelter", [SocialNeed.HOMELESSNESS]),
    ("Medical Rides", [SocialNeed.TRANSPORTATION]),
    ("Transit Passes", [SocialNeed.TRANSPORTATION]),
    ("Insurance Enrollment", [SocialNeed.HEALTH_INSURANCE]),
    ("Job Center", [SocialNeed.EMPLOYMENT_STATUS, SocialNeed.FINANCIAL_INSECURITY]),
    ("Adult Learning",
     [SocialNeed.EDUCATIONAL_ATTAINMENT, SocialNeed.DIGITAL_LITERACY]),
    ("Energy Assistance", [SocialNeed.UTILITY_INSECURITY]),
    ("Support Group", [SocialNeed.SOCIAL_CONNECTION, SocialNeed.STRESS]),
    ("Counseling", [SocialNeed.STRESS]),
    ("Legal Aid", [SocialNeed.MATERIAL_HARDSHIP, SocialNeed.MEDICAL_COST_BURDEN]),
    ("Interpreter Line", [SocialNeed.LANGUAGE_ACCESS]),
    ("Health Coaching", [SocialNeed.HEALTH_LITERACY]),
]  # fmt: skip
THEMES = [
    "Food security", "Getting to care", "Housing stability", "Self-efficacy",
    "Trust in the clinic", "Family wellbeing",
]  # fmt: skip


@dataclass
class Navigator:
    id: int
    languages: frozenset


@dataclass
class Clinic:
    id: int
    staff: list[int]
    weights: list[float]


@dataclass
class PartnershipPlan:
    """One partnership and the ids the referral simulation draws from."""

    id: int
    referrals: int
    health_system_id: int
    cbo_id: int
    clinics: list[Clinic] = field(default_factory=list)
    clinic_weights: list[float] = field(default_factory=list)
    navigators: list[Navigator] = field(default_factory=list)
    supervisors: list[int] = field(default_factory=list)
    managers: list[int] = field(default_factory=list)
    services_by_need: dict = field(default_factory=dict)


@dataclass
class World:
    now: datetime.datetime
    partnerships: list[PartnershipPlan]
    # Each user's e-mail mode (absent: the default, right away).
    email_modes: dict[int, str]


def zipf_shares(count: int) -> list[float]:
    weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, count + 1)]
    total = sum(weights)
    return [weight / total for weight in weights]


def split(total: int, count: int) -> list[int]:
    """``total`` split into ``count`` Zipf-like parts that add up exactly."""
    parts = [int(total * share) for share in zipf_shares(count)]
    for index in range(total - sum(parts)):
        parts[index % count] += 1
    return parts


def partnership_count(referrals: int) -> int:
    return min(20, max(3, referrals // 1000))


def cbo_count(partnerships: int) -> int:
    """Fewer CBOs than health systems: the smaller partnerships share a CBO with a
    larger one (so some supervisors and CBO program managers see two)."""
    return max(2, math.ceil(partnerships * 0.7))


class Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.counter = 0

    def person(self, role: str) -> dict:
        self.counter += 1
        return {
            "email": f"{role.replace('_', '.')}{self.counter:05d}{BENCH_DOMAIN}",
            "first_name": self.rng.choice(FIRST_NAMES),
            "last_name": self.rng.choice(LAST_NAMES),
        }


def _user(names, role, organization, **extra) -> User:
    return User(
        **names.person(role),
        role=role,
        organization=organization,
        password=UNUSABLE_PASSWORD,
        date_joined=extra.pop("date_joined"),
        **extra,
    )


def _navigator_languages(rng) -> list[str]:
    codes, weights = zip(*NAVIGATOR_LANGUAGES, strict=True)
    second = rng.choices(codes, weights)[0]
    return ["en", second] if second else ["en"]


def build_world(*, referrals: int, rng: random.Random, now) -> World:
    """Create the organizations, people and agreements; return what the referral
    simulation needs (ids, weights, the directory by need)."""
    count = partnership_count(referrals)
    sizes = split(referrals, count)
    cbos_needed = cbo_count(count)
    started = (now - datetime.timedelta(days=HISTORY_DAYS + 30)).date()
    joined = now - datetime.timedelta(days=HISTORY_DAYS + 60)
    names = Names(rng)

    health_systems = Organization.objects.bulk_create(
        Organization(
            name=f"{BENCH_PREFIX}{REGIONS[i % len(REGIONS)]} Health"
            + (f" {i // len(REGIONS) + 1}" if i >= len(REGIONS) else ""),
            kind=Organization.Kind.HEALTH_SYSTEM,
            phone=f"503-555-{1000 + i:04d}",
        )
        for i in range(count)
    )
    cbos = Organization.objects.bulk_create(
        Organization(
            name=f"{BENCH_PREFIX}{CBO_NAMES[i % len(CBO_NAMES)]}"
            + (f" {i // len(CBO_NAMES) + 1}" if i >= len(CBO_NAMES) else ""),
            kind=Organization.Kind.CBO,
        )
        for i in range(cbos_needed)
    )
    cbo_of = [i if i < cbos_needed else i - cbos_needed for i in range(count)]
    cbo_referrals = [0] * cbos_needed
    for index, size in enumerate(sizes):
        cbo_referrals[cbo_of[index]] += size

    partnerships = Partnership.objects.bulk_create(
        Partnership(
            name=f"{health_systems[i].name} + {cbos[cbo_of[i]].name}",
            health_system=health_systems[i],
            cbo=cbos[cbo_of[i]],
            status=Partnership.Status.ACTIVE,
            population_served="Adults with chronic disease and social needs",
            started_on=started,
            # One partnership also counts Saturdays as business days.
            business_days=[0, 1, 2, 3, 4, 5] if i == 2 else [0, 1, 2, 3, 4],
            # Public holidays, and a state's own for one of them.
            holiday_country="US",
            holiday_subdivision="OR" if i == 1 else "",
        )
        for i in range(count)
    )
    # A partnership still being planned, with no referrals (a health system refers
    # through its active partnership only).
    Partnership.objects.create(
        name=f"{health_systems[0].name} + {cbos[-1].name} (planned)",
        health_system=health_systems[0],
        cbo=cbos[-1],
        status=Partnership.Status.PLANNING,
    )
    plans = [
        PartnershipPlan(
            id=p.pk,
            referrals=sizes[i],
            health_system_id=p.health_system_id,
            cbo_id=p.cbo_id,
        )  # fmt: skip
        for i, p in enumerate(partnerships)
    ]

    users = []
    clinic_staff = {}
    for i, plan in enumerate(plans):
        clinic_count = max(2, round(CLINICS_PER_MILLION * sizes[i] / 1_000_000))
        sites = Site.objects.bulk_create(
            Site(
                organization_id=plan.health_system_id,
                name=f"{REGIONS[(i + k) % len(REGIONS)]} Clinic {k + 1}",
                address=f"{100 + k * 37} Main St",
            )
            for k in range(clinic_count)
        )
        partnerships[i].clinics.set(sites)
        plan.clinic_weights = zipf_shares(clinic_count)
        for site, share in zip(sites, plan.clinic_weights, strict=True):
            staff_count = max(2, round(sizes[i] * share / REFERRALS_PER_CLINIC_STAFF))
            staff = [
                _user(
                    names,
                    Role.CLINIC_STAFF,
                    health_systems[i],
                    site=site,
                    date_joined=joined,
                )  # fmt: skip
                for _ in range(staff_count)
            ]
            users += staff
            clinic_staff[site.pk] = staff
            plan.clinics.append(Clinic(site.pk, [], zipf_shares(staff_count)))
        for _ in range(2 if sizes[i] > 2000 else 1):
            users.append(
                _user(
                    names, Role.PROGRAM_MANAGER, health_systems[i], date_joined=joined
                )
            )
    cbo_people = {}
    for c, cbo in enumerate(cbos):
        navigator_count = max(
            2, round(NAVIGATORS_PER_MILLION * cbo_referrals[c] / 1_000_000)
        )
        navigators = [
            _user(
                names,
                Role.NAVIGATOR,
                cbo,
                languages=_navigator_languages(rng),
                date_joined=joined,
            )  # fmt: skip
            for _ in range(navigator_count)
        ]
        supervisors = [
            _user(
                names, Role.SUPERVISOR, cbo, languages=["en", "es"], date_joined=joined
            )
            for _ in range(
                max(1, math.ceil(navigator_count / NAVIGATORS_PER_SUPERVISOR))
            )
        ]
        manager = _user(names, Role.PROGRAM_MANAGER, cbo, date_joined=joined)
        users += [*navigators, *supervisors, manager]
        cbo_people[cbo.pk] = (navigators, supervisors, manager)
    users.append(
        _user(
            names,
            Role.ADMINISTRATOR,
            health_systems[0],
            is_superuser=True,
            date_joined=joined,
        )  # fmt: skip
    )
    User.objects.bulk_create(users)

    managers_of = {}
    for user in users:
        if user.role == Role.PROGRAM_MANAGER:
            managers_of.setdefault(user.organization_id, []).append(user.pk)
    for i, plan in enumerate(plans):
        for clinic in plan.clinics:
            clinic.staff = [user.pk for user in clinic_staff[clinic.id]]
        navigators, supervisors, manager = cbo_people[plan.cbo_id]
        plan.navigators = [Navigator(n.pk, frozenset(n.languages)) for n in navigators]
        plan.supervisors = [s.pk for s in supervisors]
        plan.managers = managers_of[plan.health_system_id]
        partnerships[i].health_system_contact_id = plan.managers[0]
        partnerships[i].cbo_contact_id = supervisors[0].pk
    Partnership.objects.bulk_update(
        partnerships, ["health_system_contact", "cbo_contact"]
    )

    _contracts(partnerships, plans, rng, now)
    for partnership in partnerships:
        services.plan_create_default(partnership=partnership)
    _trainings(partnerships, plans, cbo_people, clinic_staff, now)
    directory = _directory(cbos, cbo_people, rng, now)
    for plan in plans:
        plan.services_by_need = directory[plan.cbo_id]
    Theme.objects.bulk_create(
        Theme(organization=hs, name=name) for hs in health_systems for name in THEMES
    )
    return World(
        now=now, partnerships=plans, email_modes=_email_preferences(users, rng)
    )


def _contracts(partnerships, plans, rng, now) -> None:
    today = timezone.localdate(now)
    contracts, payments = [], []
    for i, partnership in enumerate(partnerships):
        start = partnership.started_on
        # Two partnerships' agreements end soon: their renewal notice has started.
        ends = today + datetime.timedelta(days=40 if i in (1, 4) else 400)
        navigators = len(plans[i].navigators)
        contracts += [
            Contract(
                partnership=partnership, kind=Contract.Kind.SERVICE,
                title="Navigator services agreement", status=Contract.Status.SIGNED,
                effective_on=start, ends_on=ends, renewal_notice_days=90,
                signatories="Program managers of both partners",
                accept_business_days=rng.choice([1, 1, 2]),
                assign_business_days=rng.choice([1, 1, 2]),
                first_contact_business_days=rng.choice([2, 3, 3, 4]),
                inactive_days=rng.choice([14, 14, 21]),
                max_active_referrals=navigators * 45,
            ),
            Contract(
                partnership=partnership, kind=Contract.Kind.DATA_SHARING,
                title="Business associate agreement", status=Contract.Status.SIGNED,
                effective_on=start, ends_on=ends,
                signatories="Compliance officers of both partners",
            ),
        ]  # fmt: skip
        payments.append(
            Contract(
                partnership=partnership,
                kind=Contract.Kind.PAYMENT,
                title="Payment agreement",
                status=Contract.Status.SIGNED,
                effective_on=start,
                ends_on=ends,
                renewal_notice_days=60,
                signatories="Chief financial officers of both partners",
                fee_per_accepted_referral=Decimal(rng.choice([100, 150, 200])),
                fee_per_enrolled_patient_month=(
                    Decimal(rng.choice([50, 75, 90])) if i % 2 == 0 else None
                ),
                funded_ftes=Decimal(max(1, navigators // 4)),
                monthly_rate_per_fte=Decimal("5000.00"),
                cap_per_month=Decimal(navigators * 9000) if i % 3 == 0 else None,
            )  # fmt: skip
        )
    Contract.objects.bulk_create(contracts + payments)
    rates = {
        PathwayKind.FOOD_SECURITY: Decimal("350.00"),
        PathwayKind.HOUSING: Decimal("600.00"),
        PathwayKind.TRANSPORTATION: Decimal("400.00"),
        PathwayKind.HEALTH_COVERAGE: Decimal("300.00"),
        PathwayKind.EMPLOYMENT: Decimal("450.00"),
        PathwayKind.SOCIAL_SERVICE_REFERRAL: Decimal("200.00"),
    }
    PathwayRate.objects.bulk_create(
        PathwayRate(contract=payment, kind=kind, amount=amount)
        for payment in payments
        for kind, amount in rates.items()
    )


def _trainings(partnerships, plans, cbo_people, clinic_staff, now) -> None:
    held = (now - datetime.timedelta(days=HISTORY_DAYS)).date()
    rules, sessions = [], []
    for partnership in partnerships:
        rules += [
            RequiredTraining(
                partnership=partnership, role=Role.NAVIGATOR,
                kind=TrainingKind.CHW_ORIENTATION, due_within_days=30,
            ),
            RequiredTraining(
                partnership=partnership, role=Role.CLINIC_STAFF,
                kind=TrainingKind.WORKING_WITH_CHWS, due_within_days=60,
            ),
        ]  # fmt: skip
        sessions += [
            TrainingSession(
                partnership=partnership, title="Orientation to clinic protocols",
                kind=TrainingKind.CHW_ORIENTATION, held_on=held,
                trainer="Clinic care team", audience_id=partnership.cbo_id,
            ),
            TrainingSession(
                partnership=partnership, title="Working with community health workers",
                kind=TrainingKind.WORKING_WITH_CHWS, held_on=held,
                trainer="CBO supervisors", audience_id=partnership.health_system_id,
            ),
        ]  # fmt: skip
    RequiredTraining.objects.bulk_create(rules)
    TrainingSession.objects.bulk_create(sessions)
    attendance = []
    for index, plan in enumerate(plans):
        orientation, working = sessions[2 * index], sessions[2 * index + 1]
        # Every 15th navigator and every 8th clinic staff member missed it: the
        # sweep's training-overdue rule has people to remind program managers of.
        for number, navigator in enumerate(cbo_people[plan.cbo_id][0]):
            if number % 15 != 14:
                attendance.append(
                    TrainingAttendance(session=orientation, person=navigator)
                )
        staff = [user for clinic in plan.clinics for user in clinic_staff[clinic.id]]
        for number, user in enumerate(staff):
            if number % 8 != 7:
                attendance.append(TrainingAttendance(session=working, person=user))
    TrainingAttendance.objects.bulk_create(attendance)


def _directory(cbos, cbo_people, rng, now) -> dict[int, dict[str, list[int]]]:
    """Each CBO's directory: organizations, their services and locations. Returns
    the linkable services of each CBO by the need they help with."""
    today = timezone.localdate(now)
    by_cbo = {}
    for cbo in cbos:
        navigators, supervisors, _manager = cbo_people[cbo.pk]
        count = min(80, 8 + len(navigators) // 3)
        organizations = ResourceOrganization.objects.bulk_create(
            ResourceOrganization(
                directory_owner=cbo,
                name=_resource_name(k),
                description="Community service listed by the CBO's navigators.",
                phone=f"541-555-{k % 10000:04d}",
                website=f"https://resource{k}.example.org",
            )
            for k in range(count)
        )
        services_ = []
        for k, organization in enumerate(organizations):
            label, needs = RESOURCE_KINDS[k % len(RESOURCE_KINDS)]
            for number in range(rng.choice([1, 2, 3])):
                status = rng.choices(
                    [ResourceStatus.ACTIVE, ResourceStatus.TEMPORARILY_CLOSED,
                     ResourceStatus.INACTIVE],
                    [90, 5, 5],
                )[0]  # fmt: skip
                services_.append(
                    ResourceService(
                        organization=organization,
                        name=f"{label} {'ABC'[number]} — {organization.name}",
                        description=f"{label} for residents; walk-ins welcome.",
                        needs=list(needs),
                        languages=["en", "es"] if k % 2 else ["en"],
                        interpretation_services="Phone interpreters"
                        if k % 3 == 0
                        else "",
                        eligibility="Residents of the county",
                        hours="Mon–Fri 9–5",
                        status=status,
                        last_verified_on=today
                        - datetime.timedelta(days=rng.randint(1, 400)),
                        last_verified_by_id=rng.choice(supervisors).pk,
                    )
                )
        ResourceService.objects.bulk_create(services_)
        locations = ResourceLocation.objects.bulk_create(
            ResourceLocation(
                organization=organization,
                name=f"{organization.name} office",
                address=f"{200 + k} Oak Ave",
                city="Salem",
                state="OR",
                postal_code="97301",
            )
            for k, organization in enumerate(organizations)
        )
        offered = {location.organization_id: location for location in locations}
        ResourceLocation.services.through.objects.bulk_create(
            ResourceLocation.services.through(
                resourcelocation_id=offered[service.organization_id].pk,
                resourceservice_id=service.pk,
            )
            for service in services_
        )
        linkable = {}
        for service in services_:
            if service.status != ResourceStatus.INACTIVE:
                for need in service.needs:
                    linkable.setdefault(need, []).append(service.pk)
        by_cbo[cbo.pk] = linkable
    return by_cbo


def _resource_name(k: int) -> str:
    region = REGIONS[k % len(REGIONS)]
    label = RESOURCE_KINDS[k % len(RESOURCE_KINDS)][0]
    suffix = f" {k // len(REGIONS) + 1}" if k >= len(REGIONS) else ""
    return f"{region} {label}{suffix}"


def _email_preferences(users, rng) -> dict[int, str]:
    """Most people read notifications in the app; some want a digest or each one."""
    Mode = NotificationPreference.EmailMode
    modes = {}
    for user in users:
        mode = rng.choices([Mode.NONE, Mode.DIGEST, Mode.IMMEDIATE], [60, 30, 10])[0]
        modes[user.pk] = mode
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user_id=pk, email_mode=mode)
        for pk, mode in modes.items()
    )
    return modes
