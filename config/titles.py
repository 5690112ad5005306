"""The policy's `titles:` section → `TitleSettings`, every problem with its path.

It needs no CRM, so `leadrelay titles --policy` can read it without one.
"""

from __future__ import annotations

from config.errors import PolicyProblem
from config.schema import TitlesModel
from routing.titles import FUNCTIONS, SENIORITIES, TitleSettings, fold_keyword

_CATEGORIES = f"a function ({', '.join(FUNCTIONS)}) or a seniority ({', '.join(SENIORITIES)})"


def compile_titles(model: TitlesModel) -> tuple[TitleSettings, list[PolicyProblem]]:
    problems: list[PolicyProblem] = []
    keywords = tuple(
        (category, tuple(words))
        for category, words in model.keywords.items()
        if _words_ok(category, words, f"titles.keywords.{category}", problems)
    )
    by_language = tuple(
        (language, category, tuple(words))
        for language, groups in model.languages.items()
        for category, words in groups.items()
        if _words_ok(category, words, f"titles.languages.{language}.{category}", problems)
    )
    overrides = tuple(
        (title, entry.seniority, entry.function)
        for title, entry in model.overrides.items()
        if _override_ok(title, entry.seniority, entry.function, problems)
    )
    return TitleSettings(keywords, by_language, overrides), problems


def _words_ok(category: str, words: list[str], path: str, problems: list[PolicyProblem]) -> bool:
    if category not in FUNCTIONS and category not in SENIORITIES:
        problem = f"'{category}' is not a function or a seniority"
        problems.append(PolicyProblem(path, problem, f"use {_CATEGORIES}"))
        return False
    empty = [i for i, word in enumerate(words) if not fold_keyword(word).replace("&", "").strip()]
    for i in empty:
        problems.append(
            PolicyProblem(
                f"{path}[{i}]",
                f"'{words[i]}' has no word a title could contain",
                "write the word as it appears in titles, e.g. lakehouse",
            )
        )
    return not empty


def _override_ok(
    title: str, seniority: str | None, function: str | None, problems: list[PolicyProblem]
) -> bool:
    path = f"titles.overrides.{title}"
    ok = True
    if seniority is None and function is None:
        problems.append(
            PolicyProblem(path, "an override needs a seniority, a function or both", "add one")
        )
        ok = False
    if seniority is not None and seniority not in SENIORITIES:
        problems.append(
            PolicyProblem(
                f"{path}.seniority",
                f"'{seniority}' is not a seniority",
                f"use one of: {', '.join(SENIORITIES)}",
            )
        )
        ok = False
    if function is not None and function not in FUNCTIONS:
        problems.append(
            PolicyProblem(
                f"{path}.function",
                f"'{function}' is not a function",
                f"use one of: {', '.join(FUNCTIONS)}",
            )
        )
        ok = False
    return ok
