from django import template

from partners import access

register = template.Library()


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
