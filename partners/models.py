import datetime
import uuid

import pghistory
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chwlink.lib.choices import ChoiceLabels
from partners.languages import LANGUAGE_CHOICES
from partners.pathway_kinds import PathwayKind
from partners.private_files import contract_document_path, private_storage


class TimeStamped(ChoiceLabels, models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Organization(TimeStamped):
    class Kind(models.TextChoices):
        HEALTH_SYSTEM = "health_system", _("Health system")
        CBO = "cbo", _("Community-based organization")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def is_health_system(self):
        return self.kind == self.Kind.HEALTH_SYSTEM


class Site(TimeStamped):
    """A clinic of a health system."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="sites",
        verbose_name=_("health system"),
        limit_choices_to={"kind": Organization.Kind.HEALTH_SYSTEM},
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="site_unique_name_per_org"
            )
        ]

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def default_business_days():
    return [0, 1, 2, 3, 4]


class HolidayCountry(models.TextChoices):
    """Public holiday calendars a partnership may follow (``holidays`` package)."""

    NONE = "", _("No public holidays")
    UNITED_STATES = "US", _("United States")
    MEXICO = "MX", _("Mexico")
    CANADA = "CA", _("Canada")


# The role values of User.Role, which is defined below Partnership.
ROLE_CHOICES = [
    ("clinic_staff", _("Clinic staff")),
    ("supervisor", _("CBO supervisor")),
    ("navigator", _("Navigator")),
    ("program_manager", _("Program manager")),
    ("administrator", _("Administrator")),
]


class PartnershipQuerySet(models.QuerySet):
    def of_organization(self, organization_id):
        """The partnerships the organization belongs to, on either side."""
        return self.filter(
            models.Q(health_system_id=organization_id)
            | models.Q(cbo_id=organization_id)
        )

    def accepted(self):
        """Partnerships both organizations agreed to: never an open or declined
        invitation, through which neither side may see the other's people."""
        return self.exclude(status__in=Partnership.UNACCEPTED_STATUSES)


# Who may see what: partnerships (their clinics and two-factor policy), people
# (role, organization, active), contracts and their rates are kept in the history
# like PHI, by the same triggers.
@pghistory.track(model_name="PartnershipHistory")
class Partnership(TimeStamped):
    """One health system and one CBO working together (Community Partnership Model)."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")
        # A program manager's proposal, waiting for the other organization.
        INVITED = "invited", _("Invitation waiting for an answer")
        DECLINED = "declined", _("Invitation declined")

    UNACCEPTED_STATUSES = (Status.INVITED, Status.DECLINED)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    health_system = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="partnerships_as_health_system",
        verbose_name=_("health system"),
        limit_choices_to={"kind": Organization.Kind.HEALTH_SYSTEM},
    )
    cbo = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="partnerships_as_cbo",
        verbose_name=_("community-based organization"),
        limit_choices_to={"kind": Organization.Kind.CBO},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNING
    )
    population_served = models.TextField(_("population served"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Los_Angeles"
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    business_days = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        verbose_name=_("business days"),
        default=default_business_days,
        help_text=_("Days the partners count for service levels."),
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        choices=HolidayCountry.choices,
        blank=True,
        default="",
        help_text=_("Its public holidays are not business days."),
    )
    holiday_subdivision = models.CharField(
        _("state or province"),
        max_length=3,
        blank=True,
        help_text=_("Adds that state's own holidays, e.g. OR for Oregon."),
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("days a closed referral can be reopened"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "For this long after closing, a CBO supervisor may reopen a referral "
            "(with a reason) instead of the clinic sending a new one."
        ),
    )
    clinics = models.ManyToManyField(
        Site,
        blank=True,
        related_name="partnerships",
        verbose_name=_("clinics included"),
    )
    health_system_contact = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key contact at the health system"),
    )
    cbo_contact = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key contact at the CBO"),
    )
    mfa_required_roles = ArrayField(
        models.CharField(max_length=30, choices=ROLE_CHOICES),
        verbose_name=_("roles that must use two-factor authentication"),
        default=list,
        blank=True,
        help_text=_(
            "People in these roles at either partner must set up an authenticator "
            "app before they can open any page."
        ),
    )
    inviting_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by the organization"),
    )
    invited_by = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    answered_by = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitation answered by"),
    )
    answered_at = models.DateTimeField(
        _("invitation answered at"), null=True, blank=True
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            # A declined invitation does not stop a later one between the two.
            models.UniqueConstraint(
                fields=["health_system", "cbo"],
                condition=~Q(status="declined"),
                name="partnership_unique_pair",
            ),
            models.CheckConstraint(
                condition=~Q(health_system=models.F("cbo")),
                name="partnership_two_different_orgs",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_accepted(self) -> bool:
        return self.status not in self.UNACCEPTED_STATUSES

    @property
    def is_invitation(self) -> bool:
        return self.status == self.Status.INVITED

    @property
    def invited_organization_id(self):
        """The side that must answer the invitation."""
        if self.inviting_organization_id == self.health_system_id:
            return self.cbo_id
        return self.health_system_id

    def business_day_labels(self):
        return [Weekday(day).label for day in sorted(self.business_days)]

    def mfa_required_role_labels(self):
        labels = dict(ROLE_CHOICES)
        return [labels[role] for role in self.mfa_required_roles if role in labels]


class ClosedDay(models.Model):
    """A day a partnership does not work beyond its public holidays (a staff
    training day, a local holiday): not a business day for its service levels."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="closed_days"
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("why closed"), max_length=120)
    added_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    created = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "day"], name="closed_day_once"
            )
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.name}"


@pghistory.track(
    pghistory.InsertEvent("clinic.add"),
    pghistory.DeleteEvent("clinic.remove"),
    obj_field=None,
    model_name="PartnershipClinicHistory",
)
class PartnershipClinic(Partnership.clinics.through):
    """A clinic's place in a partnership (the history triggers need a model of
    their own on the table Django keeps for the relation)."""

    class Meta:
        proxy = True
        verbose_name = _("clinic of a partnership")
        verbose_name_plural = _("clinics of partnerships")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("role", User.Role.ADMINISTRATOR)
        fields["is_superuser"] = True
        return self.create_user(email, password, **fields)


# The password hash stays out of the history; sign-ins change only last_login.
@pghistory.track(model_name="UserHistory", exclude=["password", "last_login"])
class User(ChoiceLabels, AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CLINIC_STAFF = ROLE_CHOICES[0]
        SUPERVISOR = ROLE_CHOICES[1]
        NAVIGATOR = ROLE_CHOICES[2]
        PROGRAM_MANAGER = ROLE_CHOICES[3]
        ADMINISTRATOR = ROLE_CHOICES[4]

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organization"),
        null=True,
        blank=True,
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("clinic"),
        null=True,
        blank=True,
        help_text=_("For clinic staff: the clinic they work at."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    languages = ArrayField(
        models.CharField(max_length=8, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
        help_text=_("Used to match navigators with patients."),
    )
    language = models.CharField(
        _("interface language"), max_length=8, blank=True, default=""
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Deactivate instead of deleting: records keep their author."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Moves on whenever the two-factor policy that applies to this person may have
    # changed (partners/mfa.py): a session's passed check is for one version.
    mfa_policy_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name"]

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="administrator") | Q(organization__isnull=False),
                name="user_org_required_unless_admin",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def is_staff(self):
        """Only administrators reach the Django admin."""
        return self.is_active and self.role == self.Role.ADMINISTRATOR


@pghistory.track(model_name="ContractHistory")
class Contract(TimeStamped):
    """A signed (or draft) agreement between the partners.

    Service levels and payment terms live on the contract that states them; a
    contract is "in force" when signed and its dates cover the day in question.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("Business / service contract")
        DATA_SHARING = "data_sharing", _("Data-sharing or business associate agreement")
        PAYMENT = "payment", _("Payment agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        EXPIRED = "expired", _("Expired")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="contracts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    effective_on = models.DateField(_("effective from"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    signatories = models.TextField(
        _("signatories"), blank=True, help_text=_("One name and title per line.")
    )
    renewal_notice_days = models.PositiveSmallIntegerField(
        _("renewal notice (days)"), default=60
    )
    document = models.FileField(
        _("document"),
        storage=private_storage,
        upload_to=contract_document_path,
        blank=True,
    )
    document_name = models.CharField(_("file name"), max_length=200, blank=True)
    document_type = models.CharField(_("file type"), max_length=100, blank=True)
    # Service levels (business days, in the partnership's time zone).
    accept_business_days = models.PositiveSmallIntegerField(
        _("accept within (business days)"), null=True, blank=True
    )
    assign_business_days = models.PositiveSmallIntegerField(
        _("assign within (business days)"), null=True, blank=True
    )
    first_contact_business_days = models.PositiveSmallIntegerField(
        _("first contact within (business days)"), null=True, blank=True
    )
    inactive_days = models.PositiveSmallIntegerField(
        _("longest gap without activity (days)"), null=True, blank=True
    )
    max_active_referrals = models.PositiveIntegerField(
        _("maximum active referrals (capacity)"), null=True, blank=True
    )
    # Payment terms (payment agreements); every amount is in US dollars.
    fee_per_accepted_referral = models.DecimalField(
        _("fee per accepted referral"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fee_per_enrolled_patient_month = models.DecimalField(
        _("monthly fee per enrolled patient"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    funded_ftes = models.DecimalField(
        _("funded navigator FTEs"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    monthly_rate_per_fte = models.DecimalField(
        _("monthly rate per FTE"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    cap_per_month = models.DecimalField(
        _("cap per month"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["kind", "-effective_on", "pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("effective_on")),
                name="contract_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.title

    # A contract states any of these; what it leaves out comes from the settings.
    SERVICE_LEVEL_FIELDS = (
        "accept_business_days",
        "assign_business_days",
        "first_contact_business_days",
        "inactive_days",
        "max_active_referrals",
    )

    @property
    def has_service_levels(self):
        return any(
            getattr(self, name) is not None for name in self.SERVICE_LEVEL_FIELDS
        )

    def renewal_notice_on(self):
        if self.ends_on is None:
            return None
        return self.ends_on - datetime.timedelta(days=self.renewal_notice_days)


@pghistory.track(model_name="PathwayRateHistory")
class PathwayRate(models.Model):
    """What a payment agreement pays for one approved completed pathway of a kind."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="pathway_rates"
    )
    kind = models.CharField(_("pathway"), max_length=40, choices=PathwayKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("pathway rate")
        verbose_name_plural = _("pathway rates")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind"], name="pathwayrate_one_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.amount}"


class Statement(TimeStamped):
    """An issued monthly statement: frozen, its lines are stored rows."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="statements"
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("payment agreement"),
    )
    period_start = models.DateField(_("month"))
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    cap = models.DecimalField(
        _("cap per month"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    # Whether the acceptances and pathways billed here carry their billing marks
    # (``Referral.acceptance_billed_at``, ``Pathway.billed_at``): while a statement
    # written otherwise (a bulk load) lacks them, drafts check the lines too.
    earners_marked = models.BooleanField(
        default=False, db_default=False, editable=False
    )

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_start"],
                name="statement_one_per_month",
            ),
            models.CheckConstraint(
                condition=Q(period_start__day=1), name="statement_starts_on_first"
            ),
        ]

    def __str__(self):
        return f"{self.partnership} {self.period_start:%Y-%m}"

    @property
    def cap_reduction(self):
        return self.subtotal - self.total


class BillingMethod(models.TextChoices):
    ACCEPTED_REFERRAL = "accepted_referral", _("Fee per accepted referral")
    APPROVED_PATHWAY = "approved_pathway", _("Fee per approved completed pathway")
    ENROLLED_PATIENT = "enrolled_patient", _("Monthly fee per enrolled patient")
    NAVIGATOR_FTE = "navigator_fte", _("Funded navigator FTEs")


class StatementLine(ChoiceLabels, models.Model):
    """One billed item; the constraints make each earner billable once only."""

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    period_start = models.DateField(_("month"))
    method = models.CharField(_("method"), max_length=30, choices=BillingMethod.choices)
    description = models.CharField(_("description"), max_length=300)
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    pathway = models.ForeignKey(
        "referrals.Pathway",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    patient = models.ForeignKey(
        "referrals.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2)
    unit_amount = models.DecimalField(_("rate"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    earned_on = models.DateField(_("earned on"), null=True, blank=True)

    class Meta:
        ordering = ["method", "earned_on", "pk"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        indexes = [
            # A statement's lines in their order, a page at a time, and its
            # totals per method without reading the lines themselves.
            models.Index(
                fields=["statement", "method", "earned_on", "id"],
                include=["amount"],
                name="statementline_order_idx",
            ),
            # Who is already billed as enrolled in a month: few or none while the
            # month's statement is a draft.
            models.Index(
                fields=["period_start", "patient"],
                condition=Q(method="enrolled_patient"),
                name="statementline_enrolled_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(method="accepted_referral"),
                name="statementline_referral_billed_once",
            ),
            models.UniqueConstraint(
                fields=["pathway"],
                condition=Q(method="approved_pathway"),
                name="statementline_pathway_billed_once",
            ),
            models.UniqueConstraint(
                fields=["patient", "period_start"],
                condition=Q(method="enrolled_patient"),
                name="statementline_patient_once_a_month",
            ),
            models.UniqueConstraint(
                fields=["statement"],
                condition=Q(method="navigator_fte"),
                name="statementline_fte_once_a_statement",
            ),
        ]

    def __str__(self):
        return self.description


class PlanTask(TimeStamped):
    """A task of the partnership's implementation plan (six steps of the model)."""

    class Step(models.IntegerChoices):
        PLANNING = 1, _("1. Organizational internal planning")
        FIND = 2, _("2. Find and build the partnership")
        FORMALIZE = 3, _("3. Formalize the partnership")
        TEAM = 4, _("4. Build an integrated team")
        TRAINING = 5, _("5. Mutual training and education")
        EVALUATION = 6, _("6. Conduct program evaluation")

    class Status(models.TextChoices):
        NOT_STARTED = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="plan_tasks"
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_tasks",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    notes = models.TextField(_("notes"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["step", "position", "pk"]
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_at__isnull=False),
                name="plantask_done_has_date",
            ),
        ]

    def __str__(self):
        return self.title


class TrainingKind(models.TextChoices):
    CHW_ORIENTATION = "chw_orientation", _("CHW orientation on clinic protocols")
    CLINIC_PROTOCOLS = "clinic_protocols", _("Ongoing clinic protocol training")
    CULTURAL_COMPETENCE = (
        "cultural_competence",
        _("Cultural competence for health-system staff"),
    )
    WORKING_WITH_CHWS = "working_with_chws", _("Working with CHWs")
    OTHER = "other", _("Other")


class TrainingSession(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="training_sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=TrainingKind.choices)
    held_on = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=200)
    audience = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("audience organization"),
    )
    materials_url = models.URLField(_("materials link"), blank=True)
    attendees = models.ManyToManyField(
        User,
        through="TrainingAttendance",
        related_name="training_sessions",
        verbose_name=_("attendees"),
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self):
        return self.title


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="training_attendance"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="attendance_once_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.person} @ {self.session}"


class RequiredTraining(models.Model):
    """A training each person of a role must have: within N days of joining,
    then again every M months when it must be renewed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="required_trainings"
    )
    role = models.CharField(_("role"), max_length=30, choices=User.Role.choices)
    kind = models.CharField(_("training"), max_length=30, choices=TrainingKind.choices)
    due_within_days = models.PositiveSmallIntegerField(
        _("due within (days of joining)"), default=30
    )
    renew_every_months = models.PositiveSmallIntegerField(
        _("renew every (months)"), null=True, blank=True
    )

    class Meta:
        ordering = ["role", "kind"]
        verbose_name = _("required training")
        verbose_name_plural = _("required trainings")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "role", "kind"],
                name="requiredtraining_once_per_role",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.get_kind_display()}"
