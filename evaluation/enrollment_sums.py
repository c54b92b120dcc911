"""What each enrollment adds to the PAM and utilization panels, as sums.

Every figure of the two panels is made of these sums over the cohort's
enrollments (one per patient): counts, totals, and sums and sums of squares for
means and standard deviations. ``EnrollmentMonth`` keeps them by partnership,
month of the patient's first or latest referral, and PAM levels (its triggers
in migration evaluation 0005 use the same expressions); enrollments no month can
answer for (days at the edge of a range, a patient in two of the partnerships,
a cohort filtered by clinic, navigator, language or need) are summed directly.
"""

MEASURES = [
    "ed_visits", "inpatient_admissions", "hospital_days", "readmissions_30d",
    "primary_care_visits",
]  # fmt: skip
WINDOWS = (6, 12)

# A first baseline paired with a first follow-up 6 to 12 months later, neither an
# extreme response set, the baseline below level 4 (PAM's endorsed analysis).
ANALYSED = (
    "pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3"
    " AND pam_extreme = false AND pam_fu_extreme = false"
)
RAW_ANALYSED = (
    "pam_paired AND pam_extreme = false AND pam_fu_extreme = false"
    " AND (pam_level IS NULL OR pam_level <= 3)"
)
CHANGE = "(pam_fu_score - pam_score)"
ITEM_CHANGE = (
    "(pam_fu_raw_sum * 1.0 / NULLIF(pam_fu_answered, 0)"
    " - pam_raw_sum * 1.0 / NULLIF(pam_answered, 0))"
)


def _when(condition: str, value: str = "1") -> str:
    return f"CASE WHEN {condition} THEN {value} ELSE 0 END"


def _utilization(window: int) -> list[tuple[str, str]]:
    both = f"pre{window}_months > 0 AND post{window}_months > 0"
    hba1c = f"pre{window}_hba1c_count > 0 AND post{window}_hba1c_count > 0"
    sums = [
        (f"u{window}_with_pre", _when(f"pre{window}_months > 0")),
        (f"u{window}_n", _when(both)),
    ]
    sums += [
        (f"u{window}_{phase}_{name}", _when(both, f"{phase}{window}_{name}"))
        for phase in ("pre", "post")
        for name in ["months", *MEASURES]
    ]
    sums += [
        (f"u{window}_hba1c_n", _when(hba1c)),
        *(
            (
                f"u{window}_hba1c_{phase}",
                _when(
                    hba1c, f"{phase}{window}_hba1c_sum / {phase}{window}_hba1c_count"
                ),
            )
            for phase in ("pre", "post")
        ),
    ]
    return sums


# (name, SQL over an enrollment's columns): what one enrollment adds.
UTILIZATION_SUMS = [("enrollments", "1"), *_utilization(6), *_utilization(12)]
PAM_SUMS = [
    ("baselines", _when("pam_baseline")),
    ("level_4", _when("pam_level = 4")),
    ("extreme", _when("pam_extreme = true OR pam_fu_extreme = true")),
    ("outside_window", _when("pam_has_follow_up AND NOT pam_paired")),
    ("no_follow_up", _when("pam_baseline AND NOT pam_has_follow_up")),
    (
        "raw_only",
        _when(
            "pam_baseline AND (pam_score IS NULL"
            " OR (pam_paired AND pam_fu_score IS NULL))"
        ),
    ),
    ("raw_n", _when(RAW_ANALYSED)),
    ("raw_sum", _when(RAW_ANALYSED, ITEM_CHANGE)),
    ("raw_squares", _when(RAW_ANALYSED, f"{ITEM_CHANGE} * {ITEM_CHANGE}")),
    ("n", _when(ANALYSED)),
    ("change_sum", _when(ANALYSED, CHANGE)),
    ("change_squares", _when(ANALYSED, f"{CHANGE} * {CHANGE}")),
    ("gained_3", _when(f"{ANALYSED} AND {CHANGE} >= 3")),
    ("moved_up", _when(f"{ANALYSED} AND pam_fu_level > pam_level")),
]
SUMS = UTILIZATION_SUMS + PAM_SUMS
NAMES = [name for name, _expression in SUMS]
# Sums kept as exact decimals (means of decimals and their squares).
DECIMAL = {
    "raw_sum", "raw_squares", "change_sum", "change_squares",
    *(f"u{w}_hba1c_{phase}" for w in WINDOWS for phase in ("pre", "post")),
}  # fmt: skip
