from django import template

from partners import access
from partners.models import Contract, Partnership, PlanTask

register = template.Library()

# The badge colour of each status, and of any status not listed.
STATUS_COLORS = {
    Partnership: (
        {
            Partnership.Status.ACTIVE: "success",
            Partnership.Status.PLANNING: "info",
            Partnership.Status.INVITED: "warning",
        },
        "secondary",
    ),
    Contract: (
        {Contract.Status.SIGNED: "success", Contract.Status.DRAFT: "warning"},
        "secondary",
    ),
    PlanTask: (
        {PlanTask.Status.DONE: "success", PlanTask.Status.IN_PROGRESS: "info"},
        "light border",
    ),
}


@register.filter
def status_color(record) -> str:
    """The badge colour of a partnership's, contract's or plan task's status."""
    colors, other = STATUS_COLORS[type(record)]
    return colors.get(record.status, other)


@register.filter
def sees_payments(user) -> bool:
    """Whether the user may see payment amounts (clinic staff may not)."""
    return access.may_see_payments(user)


@register.filter
def usd(amount) -> str:
    """An amount in US dollars with thousands separators: $11,000.00."""
    if amount is None or amount == "":
        return ""
    return f"${amount:,.2f}"
