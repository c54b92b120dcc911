from django import template

register = template.Library()

STATUS_COLORS = {
    "draft": "secondary",
    "submitted": "warning",
    "accepted": "info",
    "assigned": "info",
    "in_progress": "primary",
    "on_hold": "secondary",
    "completed": "success",
    "unable_to_complete": "dark",
    "declined": "danger",
    "cancelled": "dark",
    "entered_in_error": "light",
}


@register.inclusion_tag("partials/status_badge.html")
def status_badge(referral):
    color = STATUS_COLORS.get(referral.status, "secondary")
    text = "text-dark" if color in {"warning", "info", "light"} else ""
    return {"label": referral.get_status_display(), "color": color, "text": text}


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
