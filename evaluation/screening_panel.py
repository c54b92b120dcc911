"""The dashboard's screening panel: how many patients were screened, how often
each SDOH category was positive, how many positives got a need on the referral
or a pathway, and, for patients screened again at closing with the same
instrument, how many positive categories were resolved (positive first, negative
at the rescreen). Counted per patient: their first screened referral in the
cohort, and for pairs their first referral with a rescreen. One query."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

from evaluation.scope import DashboardScope
from evaluation.tables import column
from referrals.choices import SocialNeed
from referrals.models import Pathway, Screening

CLOSURE = Screening.Setting.CLOSURE


def _screenings(scope: DashboardScope) -> list[dict]:
    pathway_needs = ArraySubquery(
        Pathway.objects.filter(referral_id=OuterRef("referral_id")).values("need")
    )
    return list(
        Screening.objects.filter(referral_id__in=scope.facts().values("referral_id"))
        .annotate(pathway_needs=pathway_needs)
        .order_by("patient_id", "screened_on", "created", "pk")
        .values(
            "patient_id",
            "referral_id",
            "setting",
            "instrument__code",
            "positive_domains",
            "negative_domains",
            "referral__social_needs",
            "pathway_needs",
        )
    )


def _by_patient(rows: list[dict]) -> tuple[dict, dict]:
    """Each patient's first screening, and their first pre/post pair."""
    first, pairs, opening = {}, {}, {}
    for row in rows:
        patient, referral = row["patient_id"], row["referral_id"]
        if row["setting"] != CLOSURE:
            first.setdefault(patient, row)
            opening.setdefault(referral, row)
            continue
        before = opening.get(referral)
        same = before and before["instrument__code"] == row["instrument__code"]
        if same and patient not in pairs:
            pairs[patient] = (before, row)
    return first, pairs


def screening_table(scope: DashboardScope) -> dict:
    first, pairs = _by_patient(_screenings(scope))
    labels = dict(SocialNeed.choices)
    domains = sorted(
        {d for row in first.values() for d in row["positive_domains"]}
        | {d for row in first.values() for d in row["negative_domains"]},
        key=lambda d: list(labels).index(d),
    )
    rows = [[_("Any category"), len(first), *_counts(first, pairs, None)]]
    rows += [
        [labels[domain], _screened_in(first, domain), *_counts(first, pairs, domain)]
        for domain in domains
    ]
    return {
        "key": "screening",
        "title": _("Social-needs screening"),
        "columns": [
            column(_("SDOH category"), "text"),
            column(_("Patients screened")),
            column(_("Positive")),
            {**column(_("Positive (%)"), "rate", 1), "part": 2},
            column(_("Positive with a need on the referral or a pathway")),
            {**column(_("Of the positives (%)"), "rate", 2), "part": 4},
            column(_("Positive at the first of a pre/post pair")),
            column(_("Resolved at the rescreen")),
            {**column(_("Resolved (%)"), "rate", 6), "part": 7},
        ],
        "rows": rows,
    }


def _screened_in(first: dict, domain: str) -> int:
    return sum(
        domain in r["positive_domains"] or domain in r["negative_domains"]
        for r in first.values()
    )


def _has(row, domain) -> bool:
    if domain is None:
        return bool(row["positive_domains"])
    return domain in row["positive_domains"]


def _addressed(row, domain) -> bool:
    needs = set(row["referral__social_needs"]) | set(row["pathway_needs"] or ())
    wanted = row["positive_domains"] if domain is None else [domain]
    return any(d in needs for d in wanted)


def _resolved(before, after, domain) -> bool:
    wanted = before["positive_domains"] if domain is None else [domain]
    return any(d in after["negative_domains"] for d in wanted)


def _counts(first: dict, pairs: dict, domain: str | None) -> list:
    positive = [r for r in first.values() if _has(r, domain)]
    addressed = sum(_addressed(r, domain) for r in positive)
    paired = [(b, a) for b, a in pairs.values() if _has(b, domain)]
    resolved = sum(_resolved(b, a, domain) for b, a in paired)
    screened = len(first) if domain is None else _screened_in(first, domain)
    return [
        len(positive),
        _percent(len(positive), screened),
        addressed,
        _percent(addressed, len(positive)),
        len(paired),
        resolved,
        _percent(resolved, len(paired)),
    ]


def _percent(part: int, whole: int):
    return None if not whole else round(100 * part / whole, 1)
