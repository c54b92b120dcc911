from django.contrib import admin

from chwlink.lib.models import AccessRecord, OutboundEmail, PeriodicRun
from chwlink.lib.pagination import CappedPaginator


class LargeTableAdmin(admin.ModelAdmin):
    """A table that grows with the program (a statewide one holds millions of
    rows): its list counts at most a hundred pages, and only once, and shows the
    app's page length (the admin's own hundred rows cost four times the time)."""

    paginator = CappedPaginator
    show_full_result_count = False
    list_per_page = 25


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the application writes; the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(LargeTableAdmin):
    list_display = ["subject", "to", "status", "attempts", "created", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin, LargeTableAdmin):
    """Read-only: the table's trigger refuses changes anyway."""

    list_display = ["created", "user", "organization", "action", "object_type", "path"]
    list_filter = ["action", "object_type", "created"]
    search_fields = ["user__email", "object_code", "path", "request_id"]
    list_select_related = ["user", "organization"]
    date_hierarchy = "created"


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnlyAdmin):
    """What `manage.py schedule` prints, for administrators without a shell."""

    list_display = ["task", "started_at", "finished_at", "outcome"]
    ordering = ["task"]
