"""What the dashboard reads instead of scanning every referral on each view.

Database triggers (migration ``0005_rollup_triggers``) keep these tables in step
with referrals, pathways, resources, patients, partnerships and utilization in the
same transaction as each change, whatever makes it (services, the admin, bulk
updates). ``evaluation.rollups.rollups_rebuild`` recomputes them from scratch
after a load that bypassed the triggers; a test proves both give the same rows.

- ``ReferralFact``: one narrow row per referral the dashboard counts (sent, not
  entered in error), with what its filters and figures need.
- ``ReferralMonth``: the additive counts of those referrals by partnership,
  clinic and local month of sending, once by patient language (``need`` empty)
  and once by social need (``language`` empty).
- ``Enrollment``: each patient's enrollment in a partnership (the month of their
  first referral sent there), their PAM pair, and their utilization in the 6 and
  12 months before and after it.
- ``RecentContact``: the contacts of the last weeks on counted referrals, with
  the referral's partnership and moment of sending (the navigators' contacts in
  the last 14 days without a join per contact).
- ``EnrollmentMonth``: what the enrollments of a partnership add to the PAM and
  utilization panels (``evaluation.enrollment_sums``), by month of the patients'
  first or latest referral there and by PAM levels; a patient enrolled in two
  partnerships is left out (the dashboard sums such enrollments itself).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from evaluation.enrollment_sums import DECIMAL, NAMES

# The statuses of ``referrals.models.OPEN_STATUSES``, spelled out for the index.
OPEN = ["submitted", "accepted", "assigned", "in_progress", "on_hold"]


def _reference(model, **extra):
    """A key the triggers keep right: no constraint (no locks or ordering between
    the referral's write and its fact's) and no index of its own."""
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+", **extra,
    )  # fmt: skip


class ReferralFact(models.Model):
    referral = models.OneToOneField(
        "referrals.Referral",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    partnership = _reference("partners.Partnership")
    clinic = _reference("partners.Site")
    navigator = _reference(settings.AUTH_USER_MODEL, null=True)
    patient = _reference("referrals.Patient")
    status = models.CharField(max_length=20)
    # The patient's preferred language, now.
    language = models.CharField(max_length=8)
    social_needs = ArrayField(models.CharField(max_length=40))
    submitted_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True)
    assigned_at = models.DateTimeField(null=True)
    first_contact_at = models.DateTimeField(null=True)
    last_contact_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    status_changed_at = models.DateTimeField()
    # The first day of the month of sending, in the partnership's time zone.
    month = models.DateField()
    contact_days = models.FloatField(null=True)
    # A resource is linked to one of its pathways.
    linked = models.BooleanField()
    pathways_opened = models.IntegerField()
    pathways_resolved = models.IntegerField()
    pathways_final = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["partnership", "submitted_at"],
                include=["patient"],
                name="fact_partnership_sent",
            ),
            models.Index(fields=["navigator", "submitted_at"], name="fact_navigator"),
            models.Index(
                fields=["patient", "partnership", "submitted_at"], name="fact_patient"
            ),
            # Open work and overdue without reading the rows.
            models.Index(
                fields=["partnership"],
                include=[
                    "status",
                    "navigator",
                    "patient",
                    "submitted_at",
                    "accepted_at",
                    "assigned_at",
                    "last_contact_at",
                    "status_changed_at",
                ],
                condition=Q(status__in=OPEN),
                name="fact_open",
            ),
            # Medians: the k-th delay in order, without sorting them all.
            models.Index(
                fields=["partnership", "contact_days"],
                include=[
                    "clinic",
                    "submitted_at",
                    "language",
                    "navigator",
                    "social_needs",
                ],
                condition=Q(contact_days__isnull=False),
                name="fact_partnership_delay",
            ),
            models.Index(
                fields=["clinic", "contact_days"],
                include=[
                    "partnership",
                    "submitted_at",
                    "language",
                    "navigator",
                    "social_needs",
                ],
                condition=Q(contact_days__isnull=False),
                name="fact_clinic_delay",
            ),
        ]

    def __str__(self):
        return f"referral {self.referral_id}"


class ReferralMonth(models.Model):
    partnership = _reference("partners.Partnership")
    clinic = _reference("partners.Site")
    month = models.DateField()
    # A row counts the referrals of one language (``need`` empty) or of one need
    # (``language`` empty).
    language = models.CharField(max_length=8, blank=True)
    need = models.CharField(max_length=40, blank=True)
    referred = models.IntegerField()
    accepted = models.IntegerField()
    assigned = models.IntegerField()
    contacted = models.IntegerField()
    linked = models.IntegerField()
    closed = models.IntegerField()
    # Closed after the work: needs addressed or unable to complete (the funnel's
    # last step; ``closed`` also counts declines and cancellations).
    worked_closed = models.IntegerField(db_default=0)
    completed = models.IntegerField()
    pathways_resolved = models.IntegerField()
    pathways_final = models.IntegerField()
    # Contacted within N days (``contact_days < N``), N = 1 to 14: where the
    # median of the delays lies, so that an index walk finds it from there.
    contacted_within_1 = models.IntegerField()
    contacted_within_2 = models.IntegerField()
    contacted_within_3 = models.IntegerField()
    contacted_within_4 = models.IntegerField()
    contacted_within_5 = models.IntegerField()
    contacted_within_6 = models.IntegerField()
    contacted_within_7 = models.IntegerField()
    contacted_within_8 = models.IntegerField()
    contacted_within_9 = models.IntegerField()
    contacted_within_10 = models.IntegerField()
    contacted_within_11 = models.IntegerField()
    contacted_within_12 = models.IntegerField()
    contacted_within_13 = models.IntegerField()
    contacted_within_14 = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "need", "language", "month", "clinic"],
                name="referral_month_once",
            ),
        ]

    def __str__(self):
        return (
            f"{self.month:%Y-%m} clinic {self.clinic_id} {self.language or self.need}"
        )


class Enrollment(models.Model):
    """A patient's enrollment in a partnership: the month of their first referral
    sent there (not one entered in error), their PAM pair and their utilization
    in the 6 and 12 months before and after that month."""

    patient = _reference("referrals.Patient")
    partnership = _reference("partners.Partnership")
    first_submitted_at = models.DateTimeField()
    # The patient's latest referral sent there (and its month): whether they are
    # in a cohort of referrals sent since (or until) a day.
    last_submitted_at = models.DateTimeField()
    enrolled_month = models.DateField()
    last_month = models.DateField()
    # Enrolled in another partnership too: only such rows need choosing the
    # earliest when a program manager's partnerships hold both.
    shared = models.BooleanField()
    # The first baseline and the first follow-up 6 to 12 months after it
    # (``evaluation.pam_analysis``); empty without a baseline.
    pam_baseline = models.BooleanField()
    pam_level = models.SmallIntegerField(null=True)
    pam_score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    pam_extreme = models.BooleanField(null=True)
    pam_raw_sum = models.SmallIntegerField(null=True)
    pam_answered = models.SmallIntegerField(null=True)
    pam_has_follow_up = models.BooleanField(null=True)
    pam_paired = models.BooleanField(null=True)
    pam_fu_level = models.SmallIntegerField(null=True)
    pam_fu_score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    pam_fu_extreme = models.BooleanField(null=True)
    pam_fu_raw_sum = models.SmallIntegerField(null=True)
    pam_fu_answered = models.SmallIntegerField(null=True)
    # Months of data and events before (pre) and after (post) the enrollment
    # month, in windows of 6 and 12 months, with the sum and count of HbA1c values.
    pre6_months = models.IntegerField()
    pre6_ed_visits = models.IntegerField()
    pre6_inpatient_admissions = models.IntegerField()
    pre6_hospital_days = models.IntegerField()
    pre6_readmissions_30d = models.IntegerField()
    pre6_primary_care_visits = models.IntegerField()
    pre6_hba1c_count = models.IntegerField()
    pre6_hba1c_sum = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    post6_months = models.IntegerField()
    post6_ed_visits = models.IntegerField()
    post6_inpatient_admissions = models.IntegerField()
    post6_hospital_days = models.IntegerField()
    post6_readmissions_30d = models.IntegerField()
    post6_primary_care_visits = models.IntegerField()
    post6_hba1c_count = models.IntegerField()
    post6_hba1c_sum = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    pre12_months = models.IntegerField()
    pre12_ed_visits = models.IntegerField()
    pre12_inpatient_admissions = models.IntegerField()
    pre12_hospital_days = models.IntegerField()
    pre12_readmissions_30d = models.IntegerField()
    pre12_primary_care_visits = models.IntegerField()
    pre12_hba1c_count = models.IntegerField()
    pre12_hba1c_sum = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    post12_months = models.IntegerField()
    post12_ed_visits = models.IntegerField()
    post12_inpatient_admissions = models.IntegerField()
    post12_hospital_days = models.IntegerField()
    post12_readmissions_30d = models.IntegerField()
    post12_primary_care_visits = models.IntegerField()
    post12_hba1c_count = models.IntegerField()
    post12_hba1c_sum = models.DecimalField(max_digits=8, decimal_places=1, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "patient"], name="enrollment_once"
            ),
        ]
        indexes = [
            models.Index(fields=["patient"], name="enrollment_patient"),
            models.Index(
                fields=["partnership"],
                condition=Q(shared=True),
                name="enrollment_shared",
            ),
            models.Index(
                fields=["partnership"],
                condition=Q(pam_baseline=True),
                name="enrollment_with_pam",
            ),
            # The days of a period outside its whole months (the dashboard's "12
            # months" begins mid-month): the enrollments of those days, not all.
            models.Index(
                fields=["partnership", "first_submitted_at"],
                condition=Q(shared=False),
                name="enrollment_first_sent",
            ),
            models.Index(
                fields=["partnership", "last_submitted_at"],
                condition=Q(shared=False),
                name="enrollment_last_sent",
            ),
        ]

    def __str__(self):
        return f"patient {self.patient_id} in partnership {self.partnership_id}"


class RecentContact(models.Model):
    """A contact on a counted referral. Each new contact of a navigator drops
    theirs older than ``KEPT_DAYS`` before it: contacts cannot be logged in the
    future, so a dropped one is older than any last 14 days still to come."""

    KEPT_DAYS = 60

    encounter = models.OneToOneField(
        "referrals.Encounter",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    referral = _reference("referrals.Referral")
    navigator = _reference(settings.AUTH_USER_MODEL)
    partnership = _reference("partners.Partnership")
    occurred_at = models.DateTimeField()
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["partnership", "occurred_at"],
                include=["navigator", "submitted_at"],
                name="recent_contact_partnership",
            ),
            models.Index(
                fields=["navigator", "occurred_at"], name="recent_contact_navigator"
            ),
            models.Index(fields=["referral"], name="recent_contact_referral"),
        ]

    def __str__(self):
        return f"contact {self.encounter_id}"


class EnrollmentMonth(models.Model):
    class Side(models.TextChoices):
        FIRST = "first"
        LAST = "last"

    partnership = _reference("partners.Partnership")
    # Counted by the month of the patient's first referral, and again by the
    # month of their latest.
    side = models.CharField(max_length=5, choices=Side.choices)
    month = models.DateField()
    # 0: no baseline, or no follow-up in the window.
    pam_level = models.SmallIntegerField()
    pam_fu_level = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "side", "month", "pam_level", "pam_fu_level"],
                name="enrollment_month_once",
            ),
        ]

    def __str__(self):
        return f"{self.side} {self.month:%Y-%m} in partnership {self.partnership_id}"


# One column per sum, as evaluation.enrollment_sums names them.
for _name in NAMES:
    EnrollmentMonth.add_to_class(
        _name,
        models.DecimalField(max_digits=60, decimal_places=40)
        if _name in DECIMAL
        else models.IntegerField(),
    )
