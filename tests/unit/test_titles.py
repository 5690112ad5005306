"""Reading job titles: the issue's examples, each language, abbreviations, several roles,
noise, context, spelling, and what a policy can add."""

from __future__ import annotations

import pytest

from routing.titles.reader import (
    SENIORITY_RANKS,
    TitleClassifier,
    TitleSettings,
    classify_title,
    fold_title,
    lexicon_conflicts,
)


def read(title: str | None, settings: TitleSettings | None = None) -> tuple[str, str]:
    role = classify_title(title, settings or TitleSettings())
    return role.seniority, role.function


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Sr. Dir, IT Ops", "director", "it"),
        ("VP Engineering & Data", "vp", "engineering"),
        ("Head of RevOps", "director", "revops"),
        ("CTO/Co-founder", "c_level", "engineering"),
        ("Directeur des systèmes d'information", "director", "it"),
        ("Geschäftsführer", "c_level", "executive"),
    ],
)
def test_the_titles_in_the_issue(title: str, seniority: str, function: str) -> None:
    assert read(title) == (seniority, function)


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Directrice des Ressources Humaines", "director", "hr"),
        ("Responsable Marketing Digital", "manager", "marketing"),
        ("Ingénieur commercial", "ic", "sales"),
        ("Stagiaire Data", "student", "data"),
        ("PDG", "c_level", "executive"),
        ("Vertriebsleiter", "director", "sales"),
        ("Teamleiterin Buchhaltung", "manager", "finance"),
        ("Softwareentwicklerin", "ic", "engineering"),
        ("Werkstudent Marketing", "student", "marketing"),
        ("Gerente de TI", "manager", "it"),
        ("Directora de Recursos Humanos", "director", "hr"),
        ("Ejecutivo de Cuentas", "ic", "sales"),
        ("Becario de Finanzas", "student", "finance"),
        ("Diretor de Operações", "director", "operations"),
        ("Coordenadora de Marketing", "manager", "marketing"),
        ("Analista de Segurança da Informação", "ic", "security"),
        ("Estagiário de TI", "student", "it"),
    ],
)
def test_french_german_spanish_and_portuguese(title: str, seniority: str, function: str) -> None:
    assert read(title) == (seniority, function)


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Sr Mgr, Biz Dev", "manager", "sales"),
        ("Eng Mgr", "manager", "engineering"),
        ("VP Eng", "vp", "engineering"),
        ("SVP, Ops", "vp", "operations"),
        ("EVP Sales", "vp", "sales"),
        ("V.P. Marketing", "vp", "marketing"),
        ("Dir Mktg", "director", "marketing"),
        ("Head of R&D", "director", "engineering"),
        ("Director of FP&A", "director", "finance"),
        ("Sr. Dev", "ic", "engineering"),
    ],
)
def test_abbreviations(title: str, seniority: str, function: str) -> None:
    assert read(title) == (seniority, function)


def test_a_title_with_several_roles_names_every_function_and_the_highest_level() -> None:
    role = classify_title("CTO/Co-founder")
    assert role.functions == ("engineering", "executive")
    assert classify_title("VP Engineering & Data").functions == ("engineering", "data")
    assert read("Director & Co-founder") == ("c_level", "executive")
    assert read("Co-Founder / Head of Sales") == ("c_level", "sales")


def test_and_separates_two_functions_rather_than_joining_a_phrase() -> None:
    assert classify_title("Director of IT and Security").functions == ("it", "security")


@pytest.mark.parametrize(
    "title",
    [
        "VP Sales at Data Corp",
        "VP Sales @ Acme",
        "🚀 VP SALES 🚀",
        "vp sales (she/her)",
        "  VP   Sales  ",
    ],
)
def test_noise_does_not_change_the_reading(title: str) -> None:
    assert classify_title(title).functions == ("sales",)
    assert read(title) == ("vp", "sales")


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Executive Assistant to the CEO", "ic", "other"),
        ("Chief of Staff to the CEO", "director", "executive"),
        ("Assistant Manager", "manager", "other"),
        ("Assistant Export Manager", "manager", "operations"),  # a word between
        ("Assistant to the Sales Manager", "ic", "sales"),  # … but not a joining word
        ("Dean of Students", "director", "other"),  # the students are whom the job serves
        ("Teacher for talented students", "ic", "other"),
        ("Go-to-Market Operations Intern", "student", "revops"),
        ("Headteacher", "director", "other"),  # heads of schools, in every language
        ("Recteur", "director", "other"),
        ("Reitora", "director", "other"),
        ("Contremaître", "manager", "other"),  # foremen
        ("Capataz", "manager", "other"),
        ("Gouverneur de la banque nationale", "c_level", "finance"),
        ("UX Designer", "ic", "engineering"),  # product work, in every language
        ("Concepteur d'interface utilisateur", "ic", "engineering"),
        ("Informático", "ic", "it"),
        ("Electrical Appliances Salesperson", "ic", "sales"),  # the job, not what it is about
        ("IT Recruiter", "ic", "hr"),
        ("Heating Product Sales Representative", "ic", "sales"),
        ("Assistant Vice President, IT", "vp", "it"),
        ("Data Lead", "manager", "data"),
        ("Lead Data Engineer", "ic", "data"),
        ("Account Manager", "ic", "sales"),
        ("Product Manager", "ic", "engineering"),
        ("Intern, Office of the CEO", "student", "executive"),
        ("Engineer, Security", "ic", "security"),
        ("Chief Customer Officer", "c_level", "executive"),
    ],
)
def test_context_decides_what_a_word_means(title: str, seniority: str, function: str) -> None:
    assert read(title) == (seniority, function)


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Markting Director", "director", "marketing"),
        ("Sofware Engineer", "ic", "engineering"),
        ("Managging Director", "c_level", "executive"),
        ("Recruiterin", "ic", "hr"),
        ("Senior Engineers", "ic", "engineering"),
    ],
)
def test_one_letter_slips_plurals_and_feminines(title: str, seniority: str, function: str) -> None:
    assert read(title) == (seniority, function)


def test_evidence_quotes_the_title_as_typed() -> None:
    assert classify_title("Sr. Dir, IT Ops").evidence == (("Sr. Dir", "director"), ("IT Ops", "it"))
    assert ("Co-founder", "executive") in classify_title("CTO/Co-founder").evidence
    assert classify_title("Geschäftsführer").to_json()["evidence"] == [
        "Geschäftsführer → c_level",
        "Geschäftsführer → executive",
    ]


@pytest.mark.parametrize("title", [None, "", "   ", "-", "N/A", "🚀"])
def test_no_title_is_unknown_and_other(title: str | None) -> None:
    role = classify_title(title)
    assert (role.seniority, role.function, role.rank, role.functions) == (
        "unknown",
        "other",
        0,
        ("other",),
    )


def test_ranks_order_the_levels_so_conditions_can_say_director_and_above() -> None:
    order = ["c_level", "vp", "director", "manager", "ic", "student", "unknown"]
    assert [SENIORITY_RANKS[s] for s in order] == [6, 5, 4, 3, 2, 1, 0]
    assert classify_title("Head of Data").rank == 4


def test_extra_keywords_per_function_and_per_seniority() -> None:
    assert read("Lakehouse Architect") == ("ic", "engineering")
    settings = TitleSettings(
        keywords=(("data", ("lakehouse",)), ("director", ("bereichsverantwortlicher",))),
    )
    assert read("Lakehouse Architect", settings) == ("ic", "data")
    assert read("Bereichsverantwortlicher Vertrieb", settings) == ("director", "sales")


def test_extra_keywords_per_language_add_a_language() -> None:
    settings = TitleSettings(
        language_keywords=(
            ("nl", "sales", ("verkoop", "verkoper")),
            ("nl", "manager", ("teamleider",)),
        )
    )
    assert read("Teamleider Verkoop", settings) == ("manager", "sales")
    assert read("Teamleider Verkoop") != ("manager", "sales")


def test_overrides_win_for_the_exact_title_only() -> None:
    settings = TitleSettings(overrides=(("Chief Evangelist", "vp", "marketing"),))
    assert read("chief evangelist", settings) == ("vp", "marketing")
    assert classify_title("CHIEF EVANGELIST", settings).evidence == (
        ("CHIEF EVANGELIST", "override: vp"),
        ("CHIEF EVANGELIST", "override: marketing"),
    )
    assert read("Chief Evangelist, EMEA", settings) == ("c_level", "executive")


def test_an_override_may_set_only_the_function() -> None:
    settings = TitleSettings(overrides=(("Growth Hacker", None, "marketing"),))
    assert read("Growth Hacker", settings)[1] == "marketing"


def test_settings_reject_unknown_names() -> None:
    with pytest.raises(ValueError, match="neither a seniority nor a function"):
        TitleSettings(keywords=(("wizardry", ("mage",)),))
    with pytest.raises(ValueError, match="not a seniority"):
        TitleSettings(overrides=(("Mage", "archmage", None),))


def test_titles_fold_case_accents_and_punctuation() -> None:
    assert fold_title("Directeur  Général!") == fold_title("directeur general")


def test_the_built_in_word_lists_do_not_contradict_themselves() -> None:
    assert lexicon_conflicts() == []


def test_readings_are_deterministic_across_classifiers() -> None:
    titles = ["Sr. Dir, IT Ops", "Leiterin Marketing", "Analista de Dados", "Head of Data & AI"]
    first, second = TitleClassifier(), TitleClassifier()
    assert [first.classify(t) for t in titles] == [second.classify(t) for t in titles]
