"""A partnership's texting settings, as its program managers set them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from partners.models import User
from referrals.access import sets_texting
from referrals.models import PartnershipTexting

EDITABLE = (
    "enabled",
    "send_from",
    "send_until",
    "on_assigned",
    "on_visit",
    "visit_reminder_hours",
    "on_hold",
    "hold_check_in_days",
)


def texting_settings_update(
    *, actor: User, texting: PartnershipTexting, data: dict
) -> PartnershipTexting:
    """Save when texts may go out and which automatic texts are sent; the
    sweeps read the row, so a change applies from their next run."""
    if not sets_texting(actor, texting.partnership):
        raise PermissionDenied
    with transaction.atomic():
        row = PartnershipTexting.objects.select_for_update().get(pk=texting.pk)
        for name in EDITABLE:
            setattr(row, name, data[name])
        row.save(update_fields=list(EDITABLE))
    return row
