"""Scoped reads of referrals, pathways and resources: every view reads through these.

Scope rules:
- clinic staff: referrals of their health system;
- supervisors: referrals sent to their CBO, once submitted;
- navigators: referrals assigned to them, plus those a supervisor shared with them;
- program managers: referrals of their partnerships, once submitted;
- administrators: everything (they work in the Django admin).
Out of scope is a 404, never a 403: a stranger must not learn a record exists.
"""

import zoneinfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.db.models.lookups import LessThanOrEqual
from django.shortcuts import get_object_or_404

from partners.access import is_administrator, manages_program
from partners.models import (
    Partnership,
    RequiredTraining,
    Site,
    TrainingAttendance,
    TrainingKind,
    User,
)
from referrals import nearby, patient_search, schedules
from referrals.access import navigates, supervises, works_at_cbo, works_at_clinic
from referrals.choices import OFFERED_RESOURCE_STATUSES, Urgency
from referrals.models import (
    CASELOAD_STATUSES,
    OPEN_STATUSES,
    Encounter,
    Notification,
    NotificationPreference,
    Pathway,
    PathwayResource,
    PathwayStep,
    Patient,
    Referral,
    ReferralEvent,
    ResourceService,
    Screening,
)
from referrals.services.timeliness import (
    attempted_since_assignment,
    last_activity,
    overdue_cutoffs_by_partnership,
    overdue_under_own_partnership,
)

Role = User.Role
Status = Referral.Status
SharedWith = Referral.shared_with.through


def referral_scope_for_user(user) -> Q:
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if works_at_clinic(user):
        return Q(partnership__health_system_id=user.organization_id)
    if supervises(user):
        return Q(partnership__cbo_id=user.organization_id) & ~Q(status=Status.DRAFT)
    if navigates(user):
        shared = Exists(
            SharedWith.objects.filter(referral_id=OuterRef("pk"), user_id=user.pk)
        )
        return Q(partnership__cbo_id=user.organization_id) & (
            Q(navigator_id=user.pk) | Q(shared)
        )
    if manages_program(user):
        member = Q(partnership__health_system_id=user.organization_id) | Q(
            partnership__cbo_id=user.organization_id
        )
        return member & ~Q(status=Status.DRAFT)
    if is_administrator(user):
        return Q()
    return Q(pk__in=[])


def referral_list_for_user(user) -> QuerySet[Referral]:
    return Referral.objects.filter(referral_scope_for_user(user)).select_related(
        "patient", "clinic", "navigator", "partnership"
    )


def patient_referrals_for_user(user, patient) -> QuerySet[Referral]:
    """The patient's referrals the user may see, newest first."""
    return (
        referral_list_for_user(user).filter(patient=patient).order_by("-created", "-pk")
    )


def patient_open_referrals_for_user(user, patient) -> QuerySet[Referral]:
    """The patient's drafts and referrals not yet closed, newest first (the intake
    shows them before a new one is written)."""
    return patient_referrals_for_user(user, patient).filter(
        status__in=[Status.DRAFT, *OPEN_STATUSES]
    )


def open_pathway_kinds(referral) -> set[str]:
    """The kinds of pathway open on the referral (one of each kind at a time)."""
    return set(
        referral.pathways.filter(status=Pathway.Status.OPEN).values_list(
            "kind", flat=True
        )
    )


def referral_get_for_user(user, code) -> Referral:
    """The referral if the user may see it; 404 otherwise, never 403."""
    return get_object_or_404(referral_list_for_user(user), code=code)


def referral_detail_for_user(user, code) -> Referral:
    """The referral with everything its page shows, in a fixed number of queries."""
    queryset = referral_list_for_user(user).select_related(
        "referred_by", "consent_recorded_by", "partnership__texting"
    )
    # Where it was sent on from or to, beside rather than joined: PostgreSQL
    # spends longer planning a join of 13 tables than running it (12 ms, 0.5 ms).
    elsewhere = Referral.objects.select_related("partnership__cbo")
    queryset = queryset.prefetch_related(
        Prefetch("rerouted_from", queryset=elsewhere),
        Prefetch("rerouted_to", queryset=elsewhere),
        "need_outcomes",
        Prefetch("screenings", queryset=Screening.objects.select_related("instrument")),
        Prefetch(
            "events",
            queryset=ReferralEvent.objects.select_related(
                "actor", "navigator", "encounter", "pathway"
            ),
        ),
        Prefetch(
            "encounters",
            queryset=Encounter.objects.select_related("navigator"),
        ),
        Prefetch(
            "pathways",
            queryset=Pathway.objects.prefetch_related(
                "steps",
                Prefetch(
                    "resource_links",
                    queryset=PathwayResource.objects.select_related(
                        "service__organization"
                    ),
                ),
            ),
        ),
    )
    return get_object_or_404(queryset, code=code)


def clinic_referral_list(*, user, filters: dict) -> QuerySet[Referral]:
    """The health system's referrals, newest change first, filtered by clinic and
    status and searched by patient name, MRN or referral code."""
    referrals = referral_list_for_user(user)
    if filters.get("clinic"):
        referrals = referrals.filter(clinic=filters["clinic"])
    statuses = filters.get("statuses")
    if statuses:
        referrals = referrals.filter(status__in=statuses)
    if (filters.get("q") or "").strip():
        referrals = referrals.filter(
            patient_search.referral_search(
                filters["q"], health_system_ids=[user.organization_id]
            )
        )
    return referrals.order_by("-updated", "-pk")


def referral_partnerships_for_user(user) -> QuerySet[Partnership]:
    """The active partnerships the clinic user's health system refers through
    (which of them a clinic may use is ``intake.partnerships_for_clinic``)."""
    return Partnership.objects.filter(
        health_system_id=user.organization_id, status=Partnership.Status.ACTIVE
    ).order_by("cbo__name", "pk")


def clinics_referring_to_cbo(*, cbo_id) -> QuerySet[Site]:
    """Clinics of the health systems the CBO partners with (inbox filter)."""
    partnerships = Partnership.objects.accepted().filter(cbo_id=cbo_id)
    return Site.objects.filter(
        organization_id__in=partnerships.values("health_system_id")
    )


def overdue_in_inbox_q(cutoffs) -> Q:
    """Waiting on the CBO longer than the service level allows."""
    return Q(status=Status.SUBMITTED, submitted_at__lte=cutoffs["accept"]) | Q(
        status=Status.ACCEPTED, accepted_at__lte=cutoffs["assign"]
    )


def overdue_cutoffs_for_user(user) -> dict[int, dict]:
    """Overdue moments of each partnership of the user's organization, by its id:
    each under its own contract, time zone and business days."""
    return overdue_cutoffs_by_partnership(
        Partnership.objects.of_organization(user.organization_id)
    )


def overdue_in_inbox(cutoffs_by_partnership) -> Q:
    """``overdue_in_inbox_q`` with each referral's own partnership's cutoffs."""
    return overdue_under_own_partnership(cutoffs_by_partnership, overdue_in_inbox_q)


def overdue_in_caseload(cutoffs_by_partnership) -> Q:
    """``overdue_in_caseload_q`` with each referral's own partnership's cutoffs."""
    return overdue_under_own_partnership(cutoffs_by_partnership, overdue_in_caseload_q)


def _urgent_first() -> Case:
    return Case(
        When(urgency=Urgency.URGENT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def inbox_for_supervisor(
    *, user, filters: dict | None = None, cutoffs: dict | None = None
) -> QuerySet[Referral]:
    """Referrals waiting on the CBO: urgent first, then oldest first.

    Each row carries ``is_overdue`` (not accepted or not assigned in time).
    """
    filters = filters or {}
    cutoffs = cutoffs or overdue_cutoffs_for_user(user)
    referrals = referral_list_for_user(user).filter(
        status__in=[Status.SUBMITTED, Status.ACCEPTED]
    )
    if filters.get("clinic"):
        referrals = referrals.filter(clinic=filters["clinic"])
    if filters.get("language"):
        referrals = referrals.filter(patient__preferred_language=filters["language"])
    if filters.get("need"):
        referrals = referrals.filter(social_needs__contains=[filters["need"]])
    if filters.get("urgency"):
        referrals = referrals.filter(urgency=filters["urgency"])
    if filters.get("submitted_before"):
        referrals = referrals.filter(submitted_at__lt=filters["submitted_before"])
    overdue = overdue_in_inbox(cutoffs)
    if filters.get("overdue_only"):
        referrals = referrals.filter(overdue)
    return (
        referrals.annotate(
            is_overdue=Case(
                When(overdue, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            urgent_first=_urgent_first(),
        )
        .order_by("urgent_first", "submitted_at", "pk")
        # A row names its clinic; every user joined in (for the navigator of
        # accepted ones) cost more than the rest of the query.
        .select_related(None)
        .select_related("clinic")
        .prefetch_related(
            # Thousands may wait on a statewide CBO: joining each one's patient before
            # sorting cost more than reading the page's patients afterwards.
            "patient"
        )
    )


def inbox_counts_for_supervisor(*, user, cutoffs: dict | None = None) -> dict:
    """Waiting and overdue counts for the inbox header, in one query."""
    overdue = overdue_in_inbox(cutoffs or overdue_cutoffs_for_user(user))
    waiting = referral_list_for_user(user).filter(
        status__in=[Status.SUBMITTED, Status.ACCEPTED]
    )
    # Only the waiting rows are read (an index on partnership and status), not
    # every referral the CBO ever had.
    return waiting.aggregate(
        waiting_acceptance=Count("pk", filter=Q(status=Status.SUBMITTED)),
        waiting_assignment=Count("pk", filter=Q(status=Status.ACCEPTED)),
        overdue_acceptance=Count("pk", filter=Q(status=Status.SUBMITTED) & overdue),
        overdue_assignment=Count("pk", filter=Q(status=Status.ACCEPTED) & overdue),
    )


def overdue_in_caseload_q(cutoffs) -> Q:
    """With a navigator: no contact attempt in time, or no activity for too long."""
    no_first_contact = Q(
        ~attempted_since_assignment(),
        status=Status.ASSIGNED,
        assigned_at__lte=cutoffs["first_contact"],
    )
    inactive = Q(
        LessThanOrEqual(last_activity(), cutoffs["inactive"]),
        status=Status.IN_PROGRESS,
    )
    return no_first_contact | inactive


def caseload_for_navigator(*, user) -> QuerySet[Referral]:
    """The navigator's active referrals, overdue first, then urgent, then oldest.
    Each carries ``is_overdue`` and ``inactive_days`` (its partnership's longest
    gap without activity, which the overdue badge names)."""
    cutoffs = overdue_cutoffs_for_user(user)
    return (
        referral_list_for_user(user)
        .filter(status__in=CASELOAD_STATUSES)
        .annotate(
            is_overdue=Case(
                When(overdue_in_caseload(cutoffs), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            inactive_days=Case(
                *(
                    When(partnership_id=pk, then=Value(levels["inactive_days"]))
                    for pk, levels in cutoffs.items()
                ),
                default=Value(None),
                output_field=IntegerField(),
            ),
            urgent_first=_urgent_first(),
        )
        .order_by("-is_overdue", "urgent_first", "submitted_at", "pk")
        # A row names its patient only: joining the clinic, the navigator and
        # the partnership cost more to build and to read than the query itself.
        .select_related(None)
        .select_related("patient")
        .annotate(
            next_open_step=Subquery(_first_open_step()),
            # A key, not EXISTS: PostgreSQL answered EXISTS by hashing every
            # open pathway of the state (77,000 at 1M) for a page of 25.
            an_open_pathway=Subquery(
                Pathway.objects.filter(
                    referral_id=OuterRef("pk"), status=Pathway.Status.OPEN
                ).values("pk")[:1]
            ),
        )
    )


def _first_open_step():
    """The step a caseload row names: the first one not done of the earliest
    open pathway that has one (its kind, key and title). Read with the rows, not
    as the pathways and steps of each row: those were a hundred models a page."""
    return (
        PathwayStep.objects.filter(
            pathway__referral_id=OuterRef("pk"),
            pathway__status=Pathway.Status.OPEN,
            done_at__isnull=True,
        )
        .order_by("pathway__opened_at", "pathway_id", "position", "pk")
        .values(step=JSONObject(kind="pathway__kind", key="key", title="title"))[:1]
    )


def navigator_suggestions(*, referral: Referral) -> QuerySet[User]:
    """The CBO's navigators: speakers of the patient's language first, then the
    lightest active caseload. Each carries ``active_caseload``,
    ``speaks_language`` and ``missing_orientation`` (the partnership requires the
    CHW orientation of navigators and this one has not attended it)."""
    language = referral.patient.preferred_language
    orientation_required = RequiredTraining.objects.filter(
        partnership_id=referral.partnership_id,
        role=Role.NAVIGATOR,
        kind=TrainingKind.CHW_ORIENTATION,
    )
    oriented = TrainingAttendance.objects.filter(
        person_id=OuterRef("pk"),
        session__partnership_id=referral.partnership_id,
        session__kind=TrainingKind.CHW_ORIENTATION,
    )
    return (
        User.objects.filter(
            organization_id=referral.partnership.cbo_id,
            role=Role.NAVIGATOR,
            is_active=True,
        )
        .annotate(
            active_caseload=Count(
                "caseload", filter=Q(caseload__status__in=CASELOAD_STATUSES)
            ),
            speaks_language=Case(
                When(languages__contains=[language], then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            missing_orientation=Case(
                When(
                    Exists(orientation_required) & ~Exists(oriented),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-speaks_language", "active_caseload", "first_name", "pk")
    )


def patient_search_for_user(*, user, query: dict) -> QuerySet[Patient]:
    """Patients of the user's health system matching MRN, or name and birth date
    (names by their start, blind to accents and case: ``patient_search``)."""
    patients = Patient.objects.filter(health_system_id=user.organization_id)
    if query.get("mrn"):
        return patients.filter(mrn__iexact=query["mrn"])
    conditions = patient_search.name_starts_with(
        first_name=query.get("first_name") or "",
        last_name=query.get("last_name") or "",
    )
    if query.get("date_of_birth"):
        conditions &= Q(date_of_birth=query["date_of_birth"])
    if not conditions:
        return patients.none()
    return patients.filter(conditions).order_by("last_name", "first_name")[:20]


def patient_likely_duplicates(*, user, data: dict) -> QuerySet[Patient]:
    """Existing patients who look like the one about to be created: the same birth
    date and the same first or last name (blind to accents and case), or the same
    MRN."""
    same_birth_date = Q(date_of_birth=data.get("date_of_birth")) & (
        patient_search.same_name(
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
        )
    )
    return Patient.objects.filter(health_system_id=user.organization_id).filter(
        same_birth_date | Q(mrn__iexact=data.get("mrn", ""))
    )[:10]


def patients_referred_for_user(user) -> QuerySet[Patient]:
    """Patients with a referral the user may see (the evaluation's population)."""
    return Patient.objects.filter(
        Exists(referral_list_for_user(user).filter(patient_id=OuterRef("pk")))
    )


def patient_get_for_user(user, code) -> Patient:
    """Clinic staff read their health system's patients, referred or not; everyone
    else, through the referrals they may see."""
    if works_at_clinic(user):
        patients = Patient.objects.filter(health_system_id=user.organization_id)
    else:
        patients = patients_referred_for_user(user)
    return get_object_or_404(patients, code=code)


def pathway_get_for_user(user, code) -> Pathway:
    pathways = (
        Pathway.objects.filter(referral__in=referral_list_for_user(user).values("pk"))
        .select_related(
            "referral__patient", "referral__partnership", "referral__navigator"
        )
        .prefetch_related(
            "steps",
            Prefetch(
                "resource_links",
                queryset=PathwayResource.objects.select_related(
                    "service__organization", "linked_by"
                ).prefetch_related("service__locations", "service__schedules"),
            ),
        )
    )
    return get_object_or_404(pathways, code=code)


def pathways_awaiting_approval(*, user) -> QuerySet[Pathway]:
    """Completed pathways of the supervisor's CBO that need a decision."""
    return (
        # Through the pathway's own partnership: through its referral's, a
        # statewide CBO's queue was found by visiting every referral it ever had.
        Pathway.objects.filter(
            status=Pathway.Status.COMPLETED,
            partnership__cbo_id=user.organization_id,
        )
        # The page's patients and people are read after the sort: joined before
        # it, a statewide CBO's twelve thousand waiting pathways were joined to
        # show twenty-five.
        .prefetch_related("referral__patient", "referral__navigator", "closed_by")
        .order_by("closed_at", "pk")
    )


def resource_directory_owners_for_user(user) -> list[int]:
    """The CBOs whose directories the user may read."""
    if works_at_cbo(user):
        return [user.organization_id]
    return list(
        Partnership.objects.of_organization(user.organization_id)
        .accepted()
        .values_list("cbo_id", flat=True)
    )


DEFAULT_MILES = 25


def directory_time_zone(user) -> zoneinfo.ZoneInfo:
    """Where "open now" is asked: the time zone of the user's first partnership
    (by name), else the site's."""
    partnership = (
        Partnership.objects.of_organization(user.organization_id)
        .order_by("name", "pk")
        .only("time_zone")
        .first()
    )
    zone = (partnership and partnership.time_zone) or settings.TIME_ZONE
    return zoneinfo.ZoneInfo(zone)


def resource_list_for_user(user, *, filters: dict | None = None):
    """Services in the directories the user may read, searchable by need,
    language, words and capacity; ``open_at`` (an aware moment in the
    partnership's time zone) keeps those open then; ``near`` (latitude,
    longitude) keeps those within ``within`` miles, nearest first."""
    filters = filters or {}
    # Locations for the address beside each service (one query per page).
    services = (
        ResourceService.objects.filter(
            organization__directory_owner_id__in=resource_directory_owners_for_user(
                user
            )
        )
        .select_related("organization")
        .prefetch_related("locations", "schedules")
    )
    if filters.get("need"):
        services = services.filter(needs__contains=[filters["need"]])
    if filters.get("language"):
        services = services.filter(
            Q(languages__contains=[filters["language"]])
            | ~Q(interpretation_services="")
        )
    for word in filters.get("q", "").split()[:8]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
        )
    if not filters.get("include_inactive"):
        services = services.filter(status__in=OFFERED_RESOURCE_STATUSES)
    if filters.get("capacity"):
        services = services.filter(capacity_status=filters["capacity"])
    if filters.get("open_at"):
        services = services.filter(schedules.open_at(filters["open_at"]))
    if filters.get("near"):
        return nearby.nearest_first(
            services, filters["near"], filters.get("within") or DEFAULT_MILES
        )
    return services.order_by("name", "pk")


def resource_get_for_user(user, code) -> ResourceService:
    services = (
        ResourceService.objects.filter(
            organization__directory_owner_id__in=(
                resource_directory_owners_for_user(user)
            )
        )
        .select_related("organization", "last_verified_by")
        .prefetch_related("locations", "schedules")
    )
    return get_object_or_404(services, code=code)


def notification_list_for_user(user) -> QuerySet[Notification]:
    # The patient for their initials: loading the row records the view.
    return Notification.objects.filter(recipient=user).select_related(
        "referral__clinic", "referral__patient"
    )


def notification_get_for_user(user, code) -> Notification:
    return get_object_or_404(Notification, recipient=user, code=code)


def notification_unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_email_mode(user) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return NotificationPreference.EmailMode.IMMEDIATE
    return preference.email_mode


def operations_summary_for_supervisor(*, user, since) -> dict:
    """The weekly operations figures of the supervisor's CBO: the inbox, what is
    overdue, what came in and went out since ``since``, and each navigator's load."""
    cutoffs = overdue_cutoffs_for_user(user)
    referrals = Referral.objects.filter(partnership__cbo_id=user.organization_id)
    totals = referrals.aggregate(
        waiting_acceptance=Count("pk", filter=Q(status=Status.SUBMITTED)),
        waiting_assignment=Count("pk", filter=Q(status=Status.ACCEPTED)),
        overdue_in_inbox=Count("pk", filter=overdue_in_inbox(cutoffs)),
        overdue_in_caseloads=Count("pk", filter=overdue_in_caseload(cutoffs)),
        received=Count("pk", filter=Q(submitted_at__gte=since)),
        closed=Count("pk", filter=Q(closed_at__gte=since)),
        completed=Count("pk", filter=Q(closed_at__gte=since, status=Status.COMPLETED)),
    )
    loads = {
        row["navigator_id"]: row
        for row in referrals.filter(status__in=CASELOAD_STATUSES)
        .values("navigator_id")
        .annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=overdue_in_caseload(cutoffs)),
        )
    }
    contacts = dict(
        Encounter.objects.filter(
            referral__partnership__cbo_id=user.organization_id,
            occurred_at__gte=since,
        )
        .values("navigator_id")
        .annotate(total=Count("pk"))
        .values_list("navigator_id", "total")
    )
    caseloads = [
        {
            "name": navigator.get_full_name(),
            "active": loads.get(navigator.pk, {}).get("active", 0),
            "overdue": loads.get(navigator.pk, {}).get("overdue", 0),
            "contacts": contacts.get(navigator.pk, 0),
        }
        for navigator in User.objects.filter(
            organization_id=user.organization_id,
            role=Role.NAVIGATOR,
            is_active=True,
        ).order_by("first_name", "pk")
    ]
    return {**totals, "navigators": caseloads}
