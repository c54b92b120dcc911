from evaluation.models.pam import (
    PAM_ITEMS,
    CutSet,
    PamAdministration,
    PamConversionTable,
    ScoreSource,
)
from evaluation.models.report import Report
from evaluation.models.rollups import (
    Enrollment,
    EnrollmentMonth,
    RecentContact,
    ReferralFact,
    ReferralMonth,
)
from evaluation.models.stories import Story, StoryExcerpt, Theme
from evaluation.models.utilization import UtilizationImport, UtilizationRecord

__all__ = [
    "PAM_ITEMS",
    "CutSet",
    "Enrollment",
    "EnrollmentMonth",
    "PamAdministration",
    "PamConversionTable",
    "RecentContact",
    "ReferralFact",
    "ReferralMonth",
    "Report",
    "ScoreSource",
    "Story",
    "StoryExcerpt",
    "Theme",
    "UtilizationImport",
    "UtilizationRecord",
]
