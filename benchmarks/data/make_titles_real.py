"""Build benchmarks/data/titles_real.csv: real, public job titles with labels derived from the
occupation code each title is filed under — titles the project did not write.

Sources (see benchmarks/data/README.md, section "Job titles", for licences):
- en, fr, es: ESCO occupations (preferred and alternative labels) with their ISCO-08 unit group.
- pt: CBO 2002, the Brazilian classification of occupations (titles and synonyms, 6-digit code).
- de: job titles of the Bundesagentur für Arbeit's Gesamtberufsliste and frequent survey answers,
  each with the KldB 2010 codes that coders gave to survey answers containing it
  (R package occupationCoding, data set surveyCountsSubstringSimilarity).

The label is read off the code, never off the title (the mapping is below and in the README).
A title's split (tune or holdout) is decided by a hash of its occupation group, so the variants
of one occupation never sit on both sides. Regenerate with

    python benchmarks/data/make_titles_real.py --esco GITDIR --cbo GITDIR --kldb RDATA

(GITDIR: a clone of the source repository, read with `git show`; RDATA needs `pip install
rdata`, which only this script uses.)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

OUT = Path(__file__).parent / "titles_real.csv"
PER_LANGUAGE = 700
MANAGER_OR_ABOVE = "manager|director|vp|c_level"
SENIOR_EXECUTIVE = "c_level|vp|director"

# ISCO-08 unit group prefix → LeadRelay functions (any one counts as right). Longest prefix wins;
# a group not listed is "other" (health, teaching, crafts, trades, farming, transport, ...).
ISCO_FUNCTIONS: dict[str, str] = {
    "11": "executive",
    "1211": "finance",
    "1212": "hr",
    "1213": "operations|executive",
    "1219": "operations",
    "1221": "sales|marketing",
    "1222": "marketing",
    "1223": "engineering",
    "13": "operations",
    "131": "operations|other",
    "1330": "it",
    "134": "other|operations",
    "1346": "finance",
    "14": "other|operations",
    "1420": "sales|operations",
    "2120": "data",
    "214": "engineering",
    "215": "engineering",
    "216": "engineering|other",
    "2511": "it|engineering|data",
    "2512": "engineering",
    "2513": "engineering",
    "2514": "engineering",
    "2519": "engineering",
    "2521": "data|it",
    "2522": "it",
    "2523": "it",
    "2529": "it|security|data",
    "2411": "finance",
    "2412": "finance",
    "2413": "finance",
    "2421": "operations",
    "2423": "hr",
    "2424": "hr",
    "2431": "marketing",
    "2432": "marketing",
    "2433": "sales",
    "2434": "sales",
    "261": "legal",
    "2631": "data|finance",
    "311": "engineering|other|operations",
    "3311": "finance",
    "3312": "finance",
    "3313": "finance",
    "3314": "data",
    "3315": "finance",
    "3321": "sales",
    "3322": "sales",
    "3323": "operations",
    "3324": "sales",
    "3333": "hr",
    "3342": "legal",
    "3411": "legal",
    "351": "it",
    "352": "it",
    "4311": "finance",
    "4312": "finance",
    "4313": "hr",
    "4321": "operations",
    "4322": "operations",
    "4323": "operations",
    "4416": "hr",
    "52": "sales",
}
ISCO_SUPERVISORS = {"3121", "3122", "3123", "3341", "5151", "5222"}

# CBO 2002 family prefix → functions, as above.
CBO_FUNCTIONS: dict[str, str] = {
    "1210": "executive",
    "122": "operations",
    "1231": "finance",
    "1232": "hr",
    "1233": "sales|marketing",
    "1234": "operations",
    "1236": "it",
    "1237": "engineering",
    "1238": "operations",
    "131": "operations",
    "141": "operations",
    "1421": "finance",
    "1422": "hr",
    "1423": "sales|marketing",
    "1424": "operations",
    "1425": "it",
    "1426": "engineering",
    "1427": "operations",
    "2021": "engineering",
    "2111": "data",
    "2112": "data",
    "2122": "engineering",
    "2123": "it",
    "2124": "it|engineering|data",
    "214": "engineering",
    "2410": "legal",
    "2412": "legal",
    "2522": "finance",
    "2524": "hr",
    "2525": "finance",
    "2531": "marketing|sales",
    "2532": "sales|finance",
    "2533": "finance",
    "2541": "finance",
    "3171": "it",
    "3172": "it",
    "3541": "sales|marketing",
    "3542": "operations",
    "3545": "sales",
    "3547": "sales",
    "4102": "finance",
    "4131": "finance",
    "4141": "operations",
    "4223": "sales",
    "5201": "sales",
    "521": "sales",
    "524": "sales",
}

# KldB 2010 prefix → functions, as above.
KLDB_FUNCTIONS: dict[str, str] = {
    "271": "engineering",
    "272": "engineering",
    "273": "operations",
    "411": "data",
    "431": "it|engineering",
    "432": "it|sales",
    "433": "it",
    "434": "engineering",
    "611": "sales|operations",
    "612": "sales",
    "62": "sales",
    "711": "executive",
    "713": "operations",
    "715": "hr",
    "721": "finance",
    "722": "finance",
    "723": "finance",
    "731": "legal",
    "921": "marketing",
    "922": "marketing",
}


# Production, trade, maintenance and logistics groups: whether such a worker sits in a company's
# operations (production, maintenance, logistics) or in a trade of its own, the code does not
# say, so either reading is right.
ISCO_OPERATIONS_OR_OTHER = ("312", "313", "315", "7", "8", "93")
CBO_OPERATIONS_OR_OTHER = ("7", "8", "9")
KLDB_OPERATIONS_OR_OTHER = ("2", "51", "52")
OPERATIONS_OR_OTHER = "other|operations"


def by_prefix(table: dict[str, str], code: str, default: str = "other") -> str:
    for n in range(len(code), 0, -1):
        if code[:n] in table:
            return table[code[:n]]
    return default


def split_of(group: str) -> str:
    return "holdout" if int(hashlib.sha1(group.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def git_show(gitdir: Path, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={gitdir}", "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def esco_rows(gitdir: Path, language: str) -> Iterator[dict[str, str]]:
    for occupation in csv.DictReader(io.StringIO(git_show(gitdir, f"occupations_{language}.csv"))):
        code = occupation["iscoGroup"].strip()
        if not code or code.startswith("0"):
            continue  # armed forces: ranks do not map onto a company's levels
        if code.startswith("11"):
            seniority = SENIOR_EXECUTIVE
        elif code.startswith("1"):
            seniority = MANAGER_OR_ABOVE
        elif code in ISCO_SUPERVISORS:
            seniority = "manager"
        else:
            seniority = "ic"
        labels = occupation["preferredLabel"].split("/") + occupation["altLabels"].splitlines()
        for title in labels:
            function = by_prefix(ISCO_FUNCTIONS, code)
            if function == "other" and code.startswith(ISCO_OPERATIONS_OR_OTHER):
                function = OPERATIONS_OR_OTHER
            yield _row(title, language, seniority, function, "esco", code)


def cbo_rows(gitdir: Path) -> Iterator[dict[str, str]]:
    families = dict(csv.reader(io.StringIO(git_show(gitdir, "csv/cbo2002_familia.csv"))))
    texts = git_show(gitdir, "csv/cbo2002_ocupacao.csv") + git_show(
        gitdir, "csv/cbo2002_sinonimo.csv"
    )
    for code, title in csv.reader(io.StringIO(texts)):
        family = code[:4]
        if code.startswith("0") or family.startswith("11"):
            continue  # armed forces, police, fire brigades; public office holders
        if family == "1210":
            seniority = SENIOR_EXECUTIVE
        elif family.startswith("12"):
            seniority = "director|vp|c_level"
        elif family.startswith("1"):
            seniority = "manager|director"
        elif families.get(family, "").startswith("Supervisores"):
            seniority = "manager"
        else:
            seniority = "ic"
        function = by_prefix(CBO_FUNCTIONS, family)
        if function == "other" and family.startswith(CBO_OPERATIONS_OR_OTHER):
            function = OPERATIONS_OR_OTHER
        yield _row(title, "pt", seniority, function, "cbo", family)


def kldb_rows(rdata_path: Path) -> Iterator[dict[str, str]]:
    import rdata  # only to regenerate the file: pip install rdata

    frame = rdata.read_rda(str(rdata_path))["surveyCountsSubstringSimilarity"]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for title, code, n in zip(frame["dictString"], frame["survCode"], frame["N"], strict=True):
        counts[str(title)][str(code)] += int(n)
    for title, by_code in counts.items():
        code, n = max(by_code.items(), key=lambda item: (item[1], item[0]))
        if n < 3 or n < 0.6 * sum(by_code.values()) or len(title) < 4:
            continue  # coders disagree, or too rare to trust
        if code == "-0030":
            seniority, function = "student", "other"
        elif code.startswith("-"):
            continue
        else:
            if code.startswith("711"):
                seniority = SENIOR_EXECUTIVE
            elif code[3:] == "94":
                seniority = MANAGER_OR_ABOVE
            elif code[3:] == "93":
                seniority = "manager"
            else:
                seniority = "ic"
            function = by_prefix(KLDB_FUNCTIONS, code)
            if function == "other" and code[:1] in "23" and code[4] == "4":
                function = "engineering|other"  # engineers and architects among the trades
            elif function == "other" and code.startswith(KLDB_OPERATIONS_OR_OTHER):
                function = OPERATIONS_OR_OTHER
        yield _row(title, "de", seniority, function, "kldb", code[:3])


def _row(
    title: str, language: str, seniority: str, function: str, source: str, group: str
) -> dict[str, str]:
    return {
        "title": title.strip(),
        "language": language,
        "seniority": seniority,
        "function": function,
        "source": source,
        "group": group,
        "split": split_of(f"{source}:{group}"),
    }


def sample(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """A fixed sample per language: the titles whose hash is smallest, one per distinct text."""
    seen: set[tuple[str, str]] = set()
    by_language: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        key = (row["language"], row["title"].casefold())
        if row["title"] and key not in seen:
            seen.add(key)
            by_language[row["language"]].append(row)
    chosen: list[dict[str, str]] = []
    for language in sorted(by_language):
        ranked = sorted(
            by_language[language],
            key=lambda r: hashlib.sha1(f"{language}:{r['title']}".encode()).hexdigest(),
        )
        chosen.extend(ranked[:PER_LANGUAGE])
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--esco", type=Path, required=True)
    parser.add_argument("--cbo", type=Path, required=True)
    parser.add_argument("--kldb", type=Path, required=True)
    args = parser.parse_args()
    rows: list[dict[str, str]] = []
    for language in ("en", "fr", "es"):
        rows.extend(esco_rows(args.esco, language))
    rows.extend(cbo_rows(args.cbo))
    rows.extend(kldb_rows(args.kldb))
    chosen = sample(rows)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(chosen[0]))
        writer.writeheader()
        writer.writerows(chosen)
    print(f"{len(chosen)} titles written to {OUT}")


if __name__ == "__main__":
    main()
