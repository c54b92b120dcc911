from django.contrib import admin

from chwlink.lib.admin import LargeTableAdmin
from evaluation.models import (
    PamAdministration,
    PamConversionTable,
    Story,
    StoryExcerpt,
    Theme,
    UtilizationImport,
    UtilizationRecord,
)


@admin.register(PamAdministration)
class PamAdministrationAdmin(LargeTableAdmin):
    list_display = ["patient", "kind", "administered_on", "score", "level"]
    list_filter = ["kind", "score_source", "cut_set"]
    raw_id_fields = ["patient", "administered_by"]
    readonly_fields = ["raw_sum", "answered", "extreme_response", "conversion_table"]


@admin.register(PamConversionTable)
class PamConversionTableAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "cut_set", "is_active", "created"]
    readonly_fields = ["rows", "wording", "uploaded_by"]


class StoryExcerptInline(admin.TabularInline):
    model = StoryExcerpt
    extra = 0
    raw_id_fields = ["coded_by"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "consent_scope", "told_on", "withdrawn_at"]
    list_filter = ["consent_scope", "domain", "language"]
    raw_id_fields = ["patient", "referral", "recorded_by"]
    inlines = [StoryExcerptInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "is_active"]


@admin.register(UtilizationRecord)
class UtilizationRecordAdmin(LargeTableAdmin):
    list_display = ["patient", "period", "ed_visits", "inpatient_admissions", "source"]
    raw_id_fields = ["patient", "updated_by"]


@admin.register(UtilizationImport)
class UtilizationImportAdmin(admin.ModelAdmin):
    """The uploaded file's rows (medical record numbers and visits) stay out of the
    admin: the manager's preview shows them, and records who saw them."""

    list_display = ["file_name", "health_system", "status", "created"]
    exclude = ["content"]
