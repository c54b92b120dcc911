"""Languages patients and navigators speak (ISO 639-1 codes)."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("so", _("Somali")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("ht", _("Haitian Creole")),
    ("ko", _("Korean")),
    ("tl", _("Tagalog")),
    ("am", _("Amharic")),
    ("sw", _("Swahili")),
    ("other", _("Other")),
]
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
