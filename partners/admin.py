from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from partners.models import Organization, OutboundEmail, Partnership, Site, User


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


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "health_system", "cbo", "status", "time_zone", "started_on"]
    list_filter = ["status"]
    search_fields = ["name", "health_system__name", "cbo__name"]
    list_select_related = ["health_system", "cbo"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: their records keep an author.
        return False

    @admin.action(description=_("Deactivate selected users"))
    def deactivate(self, request, queryset):
        from partners.services import user_deactivate

        for user in queryset:
            user_deactivate(user=user)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False
