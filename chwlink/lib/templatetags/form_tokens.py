from django import template

from chwlink.lib.submissions import FormTokenForm

register = template.Library()


@register.simple_tag
def form_token():
    """A one-time token for a form with no form class (see chwlink.lib.submissions)."""
    return str(FormTokenForm(auto_id=False)["form_token"])
