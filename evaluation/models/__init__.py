from evaluation.models.pam import (
    PAM_ITEMS,
    CutSet,
    PamAdministration,
    PamConversionTable,
    ScoreSource,
)
from evaluation.models.stories import Story, StoryExcerpt, Theme
from evaluation.models.utilization import UtilizationImport, UtilizationRecord

__all__ = [
    "PAM_ITEMS",
    "CutSet",
    "PamAdministration",
    "PamConversionTable",
    "ScoreSource",
    "Story",
    "StoryExcerpt",
    "Theme",
    "UtilizationImport",
    "UtilizationRecord",
]
