"""Filter fields shared by the lists and searches; left empty, each keeps all rows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES
from referrals.choices import SocialNeed

SEARCH_MAX_LENGTH = 100


def language_filter(**options) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *LANGUAGE_CHOICES],
        **options,
    )


def need_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Need"),
        required=False,
        choices=[("", _("Any need")), *SocialNeed.choices],
    )


def search_field() -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Patient name, MRN or referral code"),
            }
        ),
    )
