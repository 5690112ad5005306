"""What a job title says: its seniority and function, in several languages, with the words a
policy adds."""

from routing.titles.reader import (
    DEFAULT_TITLE_SETTINGS,
    FUNCTIONS,
    SENIORITIES,
    TitleClassifier,
    TitleRole,
    TitleSettings,
    classify_title,
    fold_keyword,
)

__all__ = [
    "DEFAULT_TITLE_SETTINGS",
    "FUNCTIONS",
    "SENIORITIES",
    "TitleClassifier",
    "TitleRole",
    "TitleSettings",
    "classify_title",
    "fold_keyword",
]
