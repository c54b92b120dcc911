from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from chwlink.lib.admin import ReadOnlyAdmin
from chwlink.lib.forms import PlainTextMixin, PlainTextModelForm
from partners.forms import add_membership_errors
from partners.mfa import mfa_policy_changed
from partners.models import (
    Contract,
    Organization,
    Partnership,
    PathwayRate,
    PlanTask,
    RequiredTraining,
    Site,
    Statement,
    StatementLine,
    TrainingAttendance,
    TrainingSession,
    User,
)
from partners.services import partnership_mfa_policy_changed, user_deactivate
from referrals.models import Encounter, Pathway, Referral


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "address", "phone"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "created"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "phone"]
    list_filter = ["organization"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]


def moved_by_reassigning(partnership) -> dict[str, int]:
    """What changing a partnership's organizations hands to the new ones."""
    referrals = Referral.objects.filter(partnership=partnership)
    return {
        "referrals": referrals.count(),
        "patients": referrals.values("patient_id").distinct().count(),
        "encounters": Encounter.objects.filter(referral__in=referrals).count(),
        "pathways": Pathway.objects.filter(referral__in=referrals).count(),
    }


def moved_sentence(moved: dict[str, int]) -> str:
    return (
        _(
            "referrals: %(referrals)d, patients: %(patients)d, contact notes: "
            "%(encounters)d, pathways: %(pathways)d"
        )
        % moved
    )


class PartnershipAdminForm(PlainTextModelForm):
    confirm_move = forms.BooleanField(
        label=_("Move the partnership's records to the new organizations"),
        required=False,
        help_text=_(
            "Needed only when the health system or the CBO of an existing "
            "partnership changes."
        ),
    )

    def clean(self):
        # The admin saves clinics itself: the partnership's rule is checked here.
        cleaned = add_membership_errors(self, super().clean())
        if self.organizations_changed and not cleaned.get("confirm_move"):
            self.add_error(
                "confirm_move",
                _(
                    "Changing the organizations moves %(what)s of this partnership "
                    "from %(old)s to the new organizations: their supervisors and "
                    "managers will read them, and the old ones will not. Tick the "
                    "box to confirm."
                )
                % {
                    "what": moved_sentence(moved_by_reassigning(self.instance)),
                    "old": f"{self.initial_organizations[0]} + "
                    f"{self.initial_organizations[1]}",
                },
            )
        return cleaned

    @property
    def initial_organizations(self):
        stored = Partnership.objects.select_related("health_system", "cbo").get(
            pk=self.instance.pk
        )
        return stored.health_system, stored.cbo

    @property
    def organizations_changed(self) -> bool:
        return bool(self.instance.pk) and bool(
            {"health_system", "cbo"} & set(self.changed_data)
        )


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    form = PartnershipAdminForm

    def save_model(self, request, obj, form, change):
        """A change of organizations is logged with what it moved, beside the
        admin's own record of the changed fields."""
        moved = None
        if change and form.organizations_changed:
            old = form.initial_organizations
            moved = moved_by_reassigning(obj)
        super().save_model(request, obj, form, change)
        partnership_mfa_policy_changed(partnership=obj)
        if moved is not None:
            self.log_change(
                request,
                obj,
                _("Organizations changed from %(old)s to %(new)s, moving %(what)s.")
                % {
                    "old": f"{old[0]} + {old[1]}",
                    "new": f"{obj.health_system} + {obj.cbo}",
                    "what": moved_sentence(moved),
                },
            )

    list_display = ["name", "health_system", "cbo", "status", "time_zone", "started_on"]
    list_filter = ["status"]
    filter_horizontal = ["clinics"]
    search_fields = ["name", "health_system__name", "cbo__name"]
    list_select_related = ["health_system", "cbo"]


class UserChangeForm(PlainTextMixin, auth_forms.UserChangeForm):
    pass


class UserCreationForm(PlainTextMixin, auth_forms.AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "organization", "site"]
    list_display += ["is_active", "last_login"]
    list_filter = ["role", "organization", "is_active"]
    list_select_related = ["organization", "site"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "phone", "language"]}),
        (
            _("Organization and role"),
            {"fields": ["organization", "site", "role", "languages"]},
        ),
        (_("Access"), {"fields": ["is_active", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "organization",
                    "site",
                    "role",
                    "languages",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    filter_horizontal = ["groups"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new role or organization may come with a two-factor requirement.
        if change and {"role", "organization"} & set(form.changed_data):
            mfa_policy_changed(user_ids=[obj.pk])

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: their records keep an author.
        return False

    @admin.action(description=_("Deactivate selected users"))
    def deactivate(self, request, queryset):
        for user in queryset:
            user_deactivate(user=user)


class PathwayRateInline(admin.TabularInline):
    model = PathwayRate
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "kind", "status", "effective_on", "ends_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "partnership__name"]
    list_select_related = ["partnership"]
    exclude = ["document"]
    readonly_fields = ["document_name", "document_type"]
    inlines = [PathwayRateInline]


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    extra = 0
    fields = ["method", "description", "quantity", "unit_amount", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    """Issued statements are frozen: the admin shows them, it never edits them."""

    list_display = ["partnership", "period_start", "total", "issued_at", "issued_by"]
    list_select_related = ["partnership", "issued_by"]
    inlines = [StatementLineInline]


@admin.register(PlanTask)
class PlanTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "step", "status", "owner", "due_on"]
    list_filter = ["step", "status"]
    list_select_related = ["partnership", "owner"]
    search_fields = ["title"]


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "kind", "held_on", "audience"]
    list_filter = ["kind"]
    list_select_related = ["partnership", "audience"]
    inlines = [TrainingAttendanceInline]


@admin.register(RequiredTraining)
class RequiredTrainingAdmin(admin.ModelAdmin):
    list_display = ["partnership", "role", "kind", "due_within_days"]
    list_display += ["renew_every_months"]
    list_select_related = ["partnership"]
