"""Phone numbers as chwlink keeps them: E.164, read in the configured region when
typed without a country code (``phonenumbers``)."""

import phonenumbers
from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber


def phone_parse(raw: str) -> PhoneNumber | None:
    """The number ``raw`` spells, or None when it is not one that can be dialled
    or texted as it stands (invalid, or carrying an extension)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        region = settings.PHONENUMBER_DEFAULT_REGION
        number = PhoneNumber.from_string(raw, region=region)
    except phonenumbers.NumberParseException:
        return None
    if not number.is_valid() or number.extension:
        return None
    return number


def phones_checked(raws: list[str]) -> dict:
    """The patient's phone fields from free-text numbers (an EHR's telecom list):
    the first two valid ones, and the text of those that are not, to fix."""
    valid, to_fix = [], []
    for raw in filter(None, (r.strip() for r in raws)):
        number = phone_parse(raw)
        if number is None:
            to_fix.append(raw)
        elif number not in valid:
            valid.append(number)
    to_fix.extend(str(number) for number in valid[2:])
    return {
        "phone": valid[0] if valid else "",
        "phone_alt": valid[1] if len(valid) > 1 else "",
        "phone_to_fix": " / ".join(to_fix)[:200],
    }
