"""Issue 17, titles: a job with no rank word is ic in every language; a word that merely
contains a rank or student word is not one; German compounds on a level word carry it; spelling
fixes do not turn one real word into another. One table per class of fix."""

from __future__ import annotations

import pytest

from routing.titles import classify_title


def read(title: str | None) -> tuple[str, str]:
    role = classify_title(title)
    return role.seniority, role.function


@pytest.mark.parametrize(
    ("title", "function"),
    [
        ("Dental Hygienist", "other"),
        ("Plumber", "other"),
        ("Welder", "other"),
        ("Nurses", "other"),
        ("Tischler", "other"),
        ("Zahnarzthelferin", "other"),
        ("Lkw-Fahrer", "other"),
        ("Krankenschwester", "other"),
        ("Farmacéutica", "other"),
        ("Electricista", "other"),
        ("Boulanger", "other"),
        ("Pharmacien", "other"),
        ("Marceneiro", "other"),
        ("Enfermeira", "other"),
        ("Salesperson", "sales"),
        ("Modeverkäuferin", "sales"),
        ("Bauzeichnerin", "engineering"),
    ],
)
def test_a_job_with_no_rank_word_is_an_individual_contributor(title: str, function: str) -> None:
    assert read(title) == ("ic", function)


def test_the_job_word_is_the_evidence() -> None:
    assert classify_title("Dental Hygienist").evidence == (("Hygienist", "ic"),)
    assert ("Fahrer", "ic") in classify_title("Lkw-Fahrer").evidence


@pytest.mark.parametrize(
    ("title", "function"),
    [
        (None, "other"),
        ("", "other"),
        ("N/A", "other"),
        ("-", "other"),
        ("asdf qwer", "other"),
        ("Retired", "other"),
        ("Other", "other"),
        ("Computer", "other"),
        ("Marketing", "marketing"),
        ("Informática", "it"),
        ("Interne", "other"),
    ],
)
def test_unknown_is_for_empty_titles_noise_and_words_that_name_no_one(
    title: str | None, function: str
) -> None:
    assert read(title) == ("unknown", function)


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Juriste interne", "ic", "legal"),
        ("Internist", "ic", "other"),
        ("Zugbegleiter", "ic", "other"),
        ("Begleiterin", "ic", "other"),
        ("Halbleiterentwickler", "ic", "engineering"),
        ("Hausmeister", "ic", "other"),
    ],
)
def test_a_word_that_merely_contains_a_rank_or_student_word_is_not_one(
    title: str, seniority: str, function: str
) -> None:
    assert read(title) == (seniority, function)


@pytest.mark.parametrize(
    ("title", "seniority"),
    [
        ("Alleingeschäftsführer", "c_level"),
        ("Mitgeschäftsführerin", "c_level"),
        ("Firmengründerin", "c_level"),
        ("Kommanditgesellschafter", "c_level"),
        ("Gesamtprokurist", "director"),
        ("Schlossermeister", "manager"),
    ],
)
def test_german_compounds_built_on_a_level_word_carry_its_level(title: str, seniority: str) -> None:
    assert read(title)[0] == seniority


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Geschaeftsfuehrer", "c_level", "executive"),
        ("GESCHAEFTSFUEHRERIN", "c_level", "executive"),
        ("Verkaeuferin", "ic", "sales"),
        ("Elektroniker fuer Geraete und Systeme", "ic", "other"),
    ],
)
def test_german_typed_without_umlauts(title: str, seniority: str, function: str) -> None:
    assert read(title) == (seniority, function)


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Montador", "ic", "other"),  # a fitter, not "contador" (accountant)
        ("Fundidor", "ic", "other"),  # a foundryman, not "fundador" (founder)
        ("Médica", "ic", "other"),  # a doctor, not "media"
        ("Maketing Manager", "manager", "marketing"),
        ("Managet", "manager", "other"),
        ("Manaegr of InfoSec", "manager", "security"),
    ],
)
def test_a_spelling_fix_corrects_slips_not_other_words(
    title: str, seniority: str, function: str
) -> None:
    assert read(title) == (seniority, function)


@pytest.mark.parametrize(
    ("title", "function"),
    [
        ("Dental Technician", "other"),
        ("Técnico de farmacia", "other"),
        ("Technicien de laboratoire", "other"),
        ("Kfz-Techniker", "other"),
        ("IT Technician", "it"),
        ("Técnico de Soporte", "it"),
        ("Technicien support", "it"),
    ],
)
def test_a_technician_is_it_only_when_the_title_names_it(title: str, function: str) -> None:
    assert read(title) == ("ic", function)


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Supervisores de vendas", "manager", "sales"),
        ("Mestre de obras", "manager", "other"),
        ("Chefe de recepção", "manager", "other"),
        ("Nuclear Technology Engineering Consultant", "ic", "engineering"),
        ("Bank Clerk", "ic", "finance"),
        ("Export Manager", "manager", "operations"),
    ],
)
def test_levels_and_domains_the_real_titles_showed_missing(
    title: str, seniority: str, function: str
) -> None:
    assert read(title) == (seniority, function)
