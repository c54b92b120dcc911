import uuid

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES


class TimeStamped(models.Model):
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


class Partnership(TimeStamped):
    """One health system and one CBO working together (Community Partnership Model)."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

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

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["health_system", "cbo"], name="partnership_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(health_system=models.F("cbo")),
                name="partnership_two_different_orgs",
            ),
        ]

    def __str__(self):
        return self.name


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


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CLINIC_STAFF = "clinic_staff", _("Clinic staff")
        SUPERVISOR = "supervisor", _("CBO supervisor")
        NAVIGATOR = "navigator", _("Navigator")
        PROGRAM_MANAGER = "program_manager", _("Program manager")
        ADMINISTRATOR = "administrator", _("Administrator")

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


class OutboundEmail(TimeStamped):
    """An e-mail saved with the work that caused it and sent by Celery after commit.

    A periodic sweep re-enqueues rows still pending, so a broker outage delays mail
    but never loses it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [
            models.Index(
                fields=["created"],
                condition=Q(status="pending"),
                name="outboundemail_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"
