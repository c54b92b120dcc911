from django.contrib import admin
from django.db.models import Q

from chwlink.lib.admin import LargeTableAdmin
from referrals import patient_search
from referrals.models import Patient, Referral, ReferralEvent


class PatientNameSearch:
    """The admin's search box finds patients as every other search does
    (``referrals.patient_search``: names blind to accents and case), or by the
    exact medical record number."""

    patient_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        prefix = self.patient_prefix
        condition = patient_search.name_has_words(search_term, prefix=prefix) | Q(
            **{f"{prefix}mrn__iexact": search_term.strip()}
        )
        return queryset.filter(condition), False


@admin.register(Patient)
class PatientAdmin(PatientNameSearch, LargeTableAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "mrn", "health_system"]
    list_filter = ["health_system", "preferred_language", "do_not_contact"]
    search_fields = ["last_name", "first_name", "mrn"]
    list_select_related = ["health_system"]
    readonly_fields = ["code", "created", "updated", "created_by"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    fields = ["created", "kind", "actor", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(PatientNameSearch, LargeTableAdmin):
    patient_prefix = "patient__"
    list_display = ["short_code", "patient", "status", "clinic", "navigator", "updated"]
    list_filter = ["status", "urgency", "partnership", "clinic"]
    search_fields = ["patient__last_name", "patient__first_name", "patient__mrn"]
    list_select_related = ["patient", "clinic", "navigator"]
    readonly_fields = [
        "code",
        "status",
        "navigator",
        "submitted_at",
        "accepted_at",
        "assigned_at",
        "first_contact_at",
        "last_contact_at",
        "closed_at",
        "status_changed_at",
    ]
    inlines = [ReferralEventInline]
