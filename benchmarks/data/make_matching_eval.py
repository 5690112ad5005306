# ruff: noqa: E501 - tables of real company names read best one company to a line
"""Writes the labelled lead-to-account evaluation set: matching_eval_accounts.csv and
matching_eval_leads.csv beside this script. Deterministic (fixed seed): run it again and the
files do not change.

    python benchmarks/data/make_matching_eval.py

The accounts mix real companies of many countries (legal forms, non-Latin scripts, famous
same-word names) with synthetic families that share one word (`Summit Foods`, `Summit Media`,
… in several countries) and distinct made-up brands. The leads are what people type: other or
stacked legal forms, case, punctuation, `&`/`and`, accents, abbreviations, word order, typos,
acronyms, subsidiaries and divisions, transliterations, free-mail and company emails — and
companies that are not accounts at all, many of them sharing a word with one (expected: none).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 7_311
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "mail.ru",
             "yahoo.co.jp", "web.de", "libero.it", "orange.fr", "qq.com", "icloud.com"]  # fmt: skip

# Real companies: (name in the CRM, website, country, lead spellings that are the same company).
REAL = [
    ("International Business Machines Corporation", "ibm.com", "US",
     ["IBM", "I.B.M.", "Intl Business Machines", "IBM Consulting", "International Business Machines Corp."]),
    ("Apple Inc.", "apple.com", "US", ["Apple", "APPLE INC", "Apple Computer, Inc.", "Apple UK"]),
    ("Alphabet Inc.", "abc.xyz", "US", ["Alphabet", "Alphabet Inc"]),
    ("Google LLC", "google.com", "US", ["Google", "Google Cloud", "Google Ireland Limited"]),
    ("American Airlines Group Inc.", "aa.com", "US", ["American Airlines", "American Airlines Inc"]),
    ("American Express Company", "americanexpress.com", "US", ["American Express", "AMEX Corp"]),
    ("General Electric Company", "ge.com", "US", ["General Electric", "General Electric Co.", "GE Healthcare"]),
    ("General Motors Company", "gm.com", "US", ["General Motors", "General Motors LLC"]),
    ("Delta Air Lines, Inc.", "delta.com", "US", ["Delta Air Lines", "Delta Airlines Inc."]),
    ("Delta Dental Plans Association", "deltadental.com", "US", ["Delta Dental", "Delta Dental Plans"]),
    ("Johnson & Johnson", "jnj.com", "US", ["Johnson and Johnson", "Johnson & Johnson Inc.", "J&J"]),
    ("The Home Depot, Inc.", "homedepot.com", "US", ["Home Depot", "The Home Depot"]),
    ("Nestlé S.A.", "nestle.com", "CH", ["Nestle", "NESTLE SA", "Nestlé Suisse S.A."]),
    ("Deutsche Telekom AG", "telekom.com", "DE", ["Deutsche Telekom", "Deutsche Telekom Aktiengesellschaft"]),
    ("Siemens Aktiengesellschaft", "siemens.com", "DE", ["Siemens AG", "Siemens", "SIEMENS AG, MÜNCHEN"]),
    ("Volkswagen AG", "volkswagen.de", "DE", ["Volkswagen", "Volkswagen Aktiengesellschaft", "VW AG"]),
    ("Robert Bosch GmbH", "bosch.com", "DE", ["Bosch GmbH", "Robert Bosch", "Robert Bosch G.m.b.H."]),
    ("Müller GmbH & Co. KG", "mueller.de", "DE", ["Müller", "Muller GmbH", "MUELLER GMBH & CO KG"]),
    ("Koninklijke Philips N.V.", "philips.com", "NL", ["Koninklijke Philips", "Koninklijke Philips N.V.,NL"]),
    ("ASML Holding N.V.", "asml.com", "NL", ["ASML", "ASML Holding", "ASML Holding NV"]),
    ("Heineken N.V.", "theheinekencompany.com", "NL", ["Heineken", "Heineken B.V., Amsterdam"]),
    ("Telefonaktiebolaget LM Ericsson (publ)", "ericsson.com", "SE", ["Telefonaktiebolaget LM Ericsson", "Telefonaktiebolaget L M Ericsson AB (PUBL)"]),
    ("Volvo Car AB (publ.)", "volvocars.com", "SE", ["Volvo Car AB", "Volvo Cars", "Volvo Car Corporation"]),
    ("Nokia Oyj", "nokia.com", "FI", ["Nokia", "Nokia Corporation", "Nokia Oyj, Espoo"]),
    ("Novo Nordisk A/S", "novonordisk.com", "DK", ["Novo Nordisk", "Novo Nordisk AS"]),
    ("Equinor ASA", "equinor.com", "NO", ["Equinor", "Equinor A.S.A."]),
    ("L'Oréal S.A.", "loreal.com", "FR", ["L'Oreal", "LOreal", "L’ORÉAL SA"]),
    ("Société Générale S.A.", "societegenerale.com", "FR", ["Societe Generale", "Société Générale SA"]),
    ("Compagnie de Saint-Gobain S.A.", "saint-gobain.com", "FR", ["Compagnie de Saint Gobain", "Compagnie de Saint-Gobain"]),
    ("Banco Santander, S.A.", "santander.com", "ES", ["Banco Santander", "Banco Santander SA"]),
    ("Telefónica, S.A.", "telefonica.com", "ES", ["Telefonica", "Telefónica SA"]),
    ("Enel S.p.A.", "enel.com", "IT", ["Enel", "ENEL SPA"]),
    ("Ferrari N.V.", "ferrari.com", "IT", ["Ferrari", "Ferrari NV"]),
    ("Petróleo Brasileiro S.A. - Petrobras", "petrobras.com.br", "BR", ["Petroleo Brasileiro", "Petróleo Brasileiro S/A"]),
    ("Natura &Co Holding S.A.", "naturaeco.com", "BR", ["Natura & Co", "Natura and Co Holding"]),
    ("Grupo Bimbo, S.A.B. de C.V.", "grupobimbo.com", "MX", ["Grupo Bimbo", "Grupo Bimbo SAB de CV"]),
    ("Cemex S.A.B. de C.V.", "cemex.com", "MX", ["Cemex", "CEMEX, S.A.B. DE C.V."]),
    ("Tata Consultancy Services Limited", "tcs.com", "IN", ["Tata Consultancy Services", "TCS", "Tata Consultancy Svcs Ltd"]),
    ("Infosys Limited", "infosys.com", "IN", ["Infosys", "Infosys Ltd."]),
    ("Reliance Industries Limited", "ril.com", "IN", ["Reliance Industries", "Reliance Inds Ltd", "RIL"]),
    ("PT Telkom Indonesia (Persero) Tbk", "telkom.co.id", "ID", ["Telkom Indonesia", "PT Telkom Indonesia Tbk"]),
    ("DBS Group Holdings Ltd", "dbs.com", "SG", ["DBS Group Holdings", "DBS Group"]),
    ("Commonwealth Bank of Australia", "commbank.com.au", "AU", ["Commonwealth Bank", "Commonwealth Bank of Australia Ltd"]),
    ("BHP Group Limited", "bhp.com", "AU", ["BHP Group", "BHP Group Pty Ltd"]),
    ("Shopify Inc.", "shopify.com", "CA", ["Shopify", "Shopify Incorporated"]),
    ("Royal Bank of Canada", "rbc.com", "CA", ["Royal Bank of Canada", "RBC"]),
    ("Samsung Electronics Co., Ltd.", "samsung.com", "KR", ["Samsung Electronics", "Samsung Electronics Co Ltd"]),
    ("Hyundai Motor Company", "hyundai.com", "KR", ["Hyundai Motor", "Hyundai Motor Co."]),
    ("Sony Group Corporation", "sony.com", "JP", ["Sony Group", "Sony Group Corp", "Sony Group K.K."]),
    ("Toyota Motor Corporation", "global.toyota", "JP", ["Toyota Motor", "Toyota Motor Corp.", "TOYOTA MOTOR CORPORATION"]),
    ("Accenture plc", "accenture.com", "IE", ["Accenture", "Accenture PLC"]),
    ("Unilever PLC", "unilever.com", "GB", ["Unilever", "Unilever P.L.C."]),
    ("Rolls-Royce Holdings plc", "rolls-royce.com", "GB", ["Rolls Royce Holdings", "Rolls-Royce"]),
    ("Marks and Spencer Group plc", "marksandspencer.com", "GB", ["Marks & Spencer", "Marks and Spencer Group", "M&S Group"]),
    ("Procter & Gamble Company", "pg.com", "US", ["Procter and Gamble", "Procter & Gamble Co", "P&G"]),
    ("AT&T Inc.", "att.com", "US", ["AT&T", "AT and T", "AT & T Inc"]),
    ("McDonald's Corporation", "mcdonalds.com", "US", ["McDonalds", "McDonald's Corp", "Mc Donald's"]),
    ("Coca-Cola Company", "coca-colacompany.com", "US", ["Coca Cola", "The Coca-Cola Co.", "CocaCola"]),
    ("Hewlett Packard Enterprise Company", "hpe.com", "US", ["Hewlett Packard Enterprise", "HPE Co", "Hewlett-Packard Enterprise"]),
    ("Olive Garden", "olivegarden.com", "US", ["Olive Garden Italian Kitchen", "Olive Garden Restaurants"]),
    ("Yahoo Inc.", "yahoo.com", "US", ["Yahoo", "Yahoo!"]),
    ("Aurora Health Care, Inc.", "aurorahealthcare.org", "US", ["Aurora Health Care"]),
    ("Oracle Corporation", "oracle.com", "US", ["Oracle", "Oracle Corp."]),
    ("Mercury Systems, Inc.", "mrcy.com", "US", ["Mercury Systems"]),
    ("Continental AG", "continental.com", "DE", ["Continental", "Continental Aktiengesellschaft"]),
    ("Schneider Electric SE", "se.com", "FR", ["Schneider Electric", "Schneider Electric S.E."]),
    ("Zürcher Kantonalbank", "zkb.ch", "CH", ["Zurcher Kantonalbank", "Zuercher Kantonalbank"]),
    ("Škoda Auto a.s.", "skoda-auto.com", "CZ", ["Skoda Auto", "ŠKODA AUTO A.S."]),
    ("Orlen S.A.", "orlen.pl", "PL", ["Orlen", "ORLEN Spółka Akcyjna"]),
    ("Allegro.eu Sp. z o.o.", "allegro.eu", "PL", ["Allegro.eu", "Allegro eu sp zoo"]),
    ("Turkcell İletişim Hizmetleri A.Ş.", "turkcell.com.tr", "TR", ["Turkcell Iletisim Hizmetleri", "Turkcell Iletisim Hizmetleri AS"]),
    ("Emirates Telecommunications Group Company PJSC", "etisalat.ae", "AE", ["Emirates Telecommunications Group"]),
    # Non-Latin scripts: the lead types the transliteration or an English spelling.
    ("ПАО «Газпром»", "gazprom.ru", "RU", ["Gazprom", "Gazprom PJSC", "OAO Gazprom"]),
    ("ПАО «Лукойл»", "lukoil.ru", "RU", ["Lukoil", "PJSC Lukoil"]),
    ("ПАО Сбербанк", "sberbank.ru", "RU", ["Sberbank", "Sberbank PAO"]),
    ("ООО «Яндекс»", "yandex.ru", "RU", ["Yandex LLC"]),
    ("ПАО «Ростелеком»", "rostelecom.ru", "RU", ["Rostelecom", "Rostelekom PJSC"]),
    ("Κωτσόβολος Α.Ε.", "kotsovolos.gr", "GR", ["Kotsovolos", "Kotsovolos SA"]),
    ("Μυτιληναίος Α.Ε.", "mytilineos.com", "GR", ["Mytilineos", "Mytilineos S.A."]),
    ("ダイキン工業株式会社", "daikin.co.jp", "JP", ["Daikin", "Daikin Industries, Ltd."]),
    ("キヤノン株式会社", "canon.jp", "JP", ["Canon Inc."]),
    ("ヤマハ株式会社", "yamaha.com", "JP", ["Yamaha", "Yamaha Corporation"]),
    ("ニコン株式会社", "nikon.com", "JP", ["Nikon", "Nikon Corp"]),
    ("パナソニック株式会社", "panasonic.com", "JP", ["Panasonic"]),
    ("株式会社日立製作所", "hitachi.com", "JP", ["Hitachi, Ltd."]),
    ("삼성물산 주식회사", "samsungcnt.com", "KR", ["Samsung C&T"]),
    ("Газпром нефть", "gazprom-neft.ru", "RU", ["Gazprom Neft", "Gazprom Neft PJSC"]),
]  # fmt: skip

# Companies that are not accounts but share a word with one, or look like one (expected: none).
REAL_DECOYS = [
    "Apple Leisure Group", "Apple Hospitality REIT", "American Eagle Outfitters", "American Eagle",
    "American Tower", "General Mills", "General Dynamics", "Delta Faucet Company", "Delta Electronics",
    "Falcon Health", "Aurora Cannabis", "Aurora Health Partners", "Oracle Dental", "Mercury Insurance",
    "Continental Airlines", "Continental Tire Dealers", "Amazon Landscaping",
    "Shell Lumber", "Target Logistics", "Apple Valley Bank", "Delta Apparel", "General Atlantic",
    "American Water", "Nokian Tyres", "Alphabet Energy", "Hyundai Heavy Industries", "Tata Steel", "Tata Motors", "Reliance Capital", "Commonwealth Edison",
    "Royal Bank of Scotland", "Royal Dutch Shell", "Deutsche Bank", "Deutsche Post", "Volvo Group Trucks",
    "Schneider National", "Johnson Controls", "Johnson Matthey", "Ferrari Trento", "Banco do Brasil",
    "Grupo Modelo", "Unilab Inc", "Bosch Plumbing LLC",
    "Olive Tree Cafe", "Garden Olive Supplies", "Meta Platforms", "Intel Corporation", "Hansen Technologies", ]  # fmt: skip

_STEMS_TEXT = """Summit Aurora Falcon Apex Pinnacle Beacon Cobalt Harbor Juniper Keystone Lumen Maple
Northstar Oakridge Quartz Redwood Sterling Tidewater Vantage Willow Zephyr Bluefin Cascade
Driftwood Evergreen Foxglove Goldcrest Highland Ironwood Meridian Pioneer Granite Horizon
Phoenix Atlas Titan Orion Vertex Zenith Liberty Frontier Crescent Sapphire Emerald Eagle Delta
Mercury Crown"""
STEMS = _STEMS_TEXT.split()
INDUSTRIES = ["Foods", "Media", "Capital", "Health", "Energy", "Logistics", "Labs", "Systems",
              "Bank", "Retail Group", "Manufacturing", "Learning", "Software", "Insurance",
              "Pharmaceuticals", "Technologies", "Consulting", "Dental", "Motors", "Realty"]  # fmt: skip
LEGAL = {
    "US": ["Inc.", "LLC", "Corp.", "Corporation", "Incorporated", "Co."],
    "GB": ["Ltd", "Limited", "PLC", "LLP"],
    "DE": ["GmbH", "AG", "GmbH & Co. KG", "KGaA", "UG"],
    "FR": ["SAS", "S.A.", "SARL", "SA"],
    "NL": ["B.V.", "N.V.", "N.V.,NL", "B.V., Rotterdam"],
    "SE": ["AB", "AB (publ)"],
    "ES": ["S.L.", "S.A."],
    "IT": ["S.p.A.", "S.r.l."],
    "BR": ["Ltda.", "S.A."],
    "MX": ["S.A. de C.V.", "S. de R.L. de C.V."],
    "JP": ["K.K.", "Co., Ltd."],
    "IN": ["Pvt. Ltd.", "Private Limited", "Ltd."],
    "AU": ["Pty Ltd", "Pty. Limited"],
    "PL": ["Sp. z o.o.", "S.A."],
    "FI": ["Oy", "Oyj"],
    "DK": ["A/S", "ApS"],
}
COUNTRY_TEXT = {"US": ["United States", "USA", "U.S.", "US"], "GB": ["UK", "United Kingdom", "GB"],
                "DE": ["Germany", "Deutschland", "DE"], "FR": ["France", "FR"], "NL": ["Netherlands", "NL"],
                "SE": ["Sweden", "Sverige"], "ES": ["Spain", "España"], "IT": ["Italy", "Italia"],
                "BR": ["Brazil", "Brasil"], "MX": ["Mexico", "México"], "JP": ["Japan", "JP"],
                "IN": ["India", "IN"], "AU": ["Australia", "AU"], "PL": ["Poland", "Polska"],
                "FI": ["Finland", "Suomi"], "DK": ["Denmark", "Danmark"]}  # fmt: skip
ABBREVIATE = {"International": "Intl", "Manufacturing": "Mfg", "Technologies": "Tech",
              "Corporation": "Corp", "Services": "Svcs", "Laboratories": "Labs", "Brothers": "Bros",
              "Pharmaceuticals": "Pharma", "Systems": "Sys", "Management": "Mgmt"}  # fmt: skip
SUFFIX_WORDS = ["UK", "Deutschland", "Consulting", "Cloud", "Group", "Holdings", "International",
                "Europe", "Japan", "Digital", "Services"]  # fmt: skip
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en", "ol")]


@dataclass
class Account:
    id: str
    name: str
    website: str
    country: str
    words: str  # the name without its legal form, for making variants


@dataclass
class Lead:
    id: str
    email: str
    company: str
    country: str
    expected: str
    category: str


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def make_accounts(rng: random.Random) -> list[Account]:
    accounts = [
        Account(f"R{n:04d}", name, site, country, name)
        for n, (name, site, country, _) in enumerate(REAL)
    ]
    for stem in STEMS:  # families of accounts that share one word, in several countries
        for industry in rng.sample(INDUSTRIES, 6):
            accounts.append(synthetic(len(accounts), f"{stem} {industry}", rng))
    used = {a.words.lower() for a in accounts}
    while len(accounts) < 4000:  # distinct made-up brands
        words = f"{brand(rng)} {rng.choice(INDUSTRIES)}" if rng.random() < 0.8 else brand(rng)
        if words.lower() not in used:
            used.add(words.lower())
            accounts.append(synthetic(len(accounts), words, rng))
    for account in rng.sample(accounts[len(REAL) :], 150):  # same name in another country
        country = rng.choice([c for c in LEGAL if c != account.country])
        twin = Account(f"S{len(accounts):04d}", f"{account.words} {rng.choice(LEGAL[country])}",
                       f"{slug(account.words)}.{country.lower()}", country, account.words)  # fmt: skip
        accounts.append(twin)
    return accounts


def synthetic(number: int, words: str, rng: random.Random) -> Account:
    country = rng.choice(list(LEGAL))
    name = f"{words} {rng.choice(LEGAL[country])}"
    site = (
        rng.choice(["https://www.", "http://", "www.", ""])
        + slug(words)
        + rng.choice([".com", ".io", ".co"])
    )
    return Account(f"S{number:04d}", name, site, country, words)


def slug(words: str) -> str:
    return "".join(ch for ch in words.lower() if ch.isalnum())


def typo(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "swap", "replace"])
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return word[:position] + rng.choice("aeioulnrst") + word[position + 1 :]


def variant(account: Account, rng: random.Random) -> tuple[str, str]:
    """A spelling of a synthetic account's name, and what kind of variation it is."""
    words = account.words
    first, _, rest = words.partition(" ")
    country = rng.choice(list(LEGAL))
    kinds = [
        "legal form",
        "case",
        "typo",
        "abbreviation",
        "word order",
        "extra words",
        "stacked legal form",
    ]
    kind = rng.choice(kinds)
    if kind == "legal form":
        return f"{words} {rng.choice(LEGAL[country])}", kind
    if kind == "case":
        return rng.choice(
            [words.upper(), words.lower(), f"{words.upper()} {rng.choice(LEGAL[country]).upper()}"]
        ), kind
    if kind == "typo" and len(first) >= 6:
        return f"{typo(first, rng)} {rest}".strip(), kind
    if kind == "abbreviation" and any(long in words for long in ABBREVIATE):
        for long, short in ABBREVIATE.items():
            words = words.replace(long, short)
        return words, kind
    if kind == "word order" and rest:
        return f"{rest} {first}", kind
    if kind == "extra words" and rest:
        return f"{words} {rng.choice(SUFFIX_WORDS)}", kind
    if kind == "stacked legal form":
        return (
            f"{words} {rng.choice(['N.V.,NL', 'B.V., Amsterdam', 'AB (PUBL)', 'GmbH & Co. KG', 'Ltd., London', 'S.A. de C.V.'])}",
            kind,
        )
    return f"{words}, {rng.choice(LEGAL[country])}", "legal form"


def make_leads(accounts: list[Account], rng: random.Random) -> list[Lead]:
    leads: list[Lead] = []

    def add(email: str, company: str, country: str, expected: str, category: str) -> None:
        leads.append(Lead(f"L{len(leads):05d}", email, company, country, expected, category))

    for number, (_, site, country, spellings) in enumerate(REAL):
        account_id = f"R{number:04d}"
        for spelling in spellings:
            add(
                f"{person(rng)}@{rng.choice(FREE_MAIL)}",
                spelling,
                country,
                account_id,
                "real-world spelling",
            )
        add(
            f"{person(rng)}@{rng.choice(['', 'eu.', 'mail.'])}{site}",
            rng.choice(spellings),
            "",
            account_id,
            "company email",
        )
    for company in REAL_DECOYS:
        add(f"{person(rng)}@{rng.choice(FREE_MAIL)}", company, "", "", "real-world decoy")
        add(f"{person(rng)}@{slug(company)}.com", company, "", "", "real-world decoy")
    synthetic_accounts = [a for a in accounts if a.id.startswith("S")]
    twins = duplicated_names(synthetic_accounts)
    for account in rng.sample(synthetic_accounts, 1800):
        company, category = variant(account, rng)
        expected = account.id
        country = rng.choice(COUNTRY_TEXT[account.country])
        if slug(account.words) in twins:
            category = "same name in two countries"
        add(f"{person(rng)}@{rng.choice(FREE_MAIL)}", company, country, expected, category)
    for account in rng.sample(synthetic_accounts, 500):  # company email, messy or misleading name
        host = account.website.split("//")[-1].removeprefix("www.")
        decoy = rng.choice(synthetic_accounts).words
        company = rng.choice([account.words, "", decoy, account.words.split()[0]])
        add(f"{person(rng)}@{host}", company, "", account.id, "company email")
    for stem in STEMS:  # a family word with an industry the family does not have
        family = {a.words for a in synthetic_accounts if a.words.startswith(stem + " ")}
        missing = [i for i in INDUSTRIES if f"{stem} {i}" not in family]
        for industry in rng.sample(missing, 3):
            add(
                f"{person(rng)}@{rng.choice(FREE_MAIL)}",
                f"{stem} {industry}",
                "",
                "",
                "same-word decoy",
            )
        add(f"{person(rng)}@{rng.choice(FREE_MAIL)}", stem, "", "", "same-word decoy")
    # A new brand: a known one with other words would be the same company or a subsidiary.
    brands = {slug(a.words.split()[0]) for a in accounts}
    while sum(lead.category == "not an account" for lead in leads) < 700:
        company = f"{brand(rng)} {rng.choice(INDUSTRIES)}"
        if slug(company.split()[0]) not in brands:
            email = rng.choice(
                [f"{person(rng)}@{rng.choice(FREE_MAIL)}", f"{person(rng)}@{slug(company)}.com"]
            )
            add(email, company, "", "", "not an account")
    for _ in range(200):  # a personal address and no company
        add(f"{person(rng)}@{rng.choice(FREE_MAIL)}", "", "", "", "free mail, no company")
    return leads


def duplicated_names(accounts: list[Account]) -> set[str]:
    seen: dict[str, int] = {}
    for account in accounts:
        seen[slug(account.words)] = seen.get(slug(account.words), 0) + 1
    return {name for name, count in seen.items() if count > 1}


def person(rng: random.Random) -> str:
    return rng.choice(
        ["alex", "sam", "kim", "jo", "lee", "max", "ana", "li", "ravi", "olga"]
    ) + str(rng.randint(1, 999))


def main() -> None:
    rng = random.Random(SEED)
    accounts = make_accounts(rng)
    leads = make_leads(accounts, rng)
    resolve_same_name_labels(accounts, leads)
    with (HERE / "matching_eval_accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Name", "Website", "BillingCountry"])
        writer.writerows([a.id, a.name, a.website, a.country] for a in accounts)
    with (HERE / "matching_eval_leads.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Email", "Company", "Country", "ExpectedAccountId", "Category"])
        writer.writerows(
            [x.id, x.email, x.company, x.country, x.expected, x.category] for x in leads
        )
    print(f"{len(accounts)} accounts, {len(leads)} leads written to {HERE}")


def resolve_same_name_labels(accounts: list[Account], leads: list[Lead]) -> None:
    """A lead that names a company present in two countries belongs to the one in the lead's
    country; with no country, or a third one, no single account is right: expected none."""
    by_words: dict[str, list[Account]] = {}
    for account in accounts:
        by_words.setdefault(slug(account.words), []).append(account)
    country_of_text = {text: code for code, texts in COUNTRY_TEXT.items() for text in texts}
    for lead in leads:
        if lead.category != "same name in two countries":
            continue
        expected = next(a for a in accounts if a.id == lead.expected)
        same = by_words[slug(expected.words)]
        in_country = [a for a in same if a.country == country_of_text.get(lead.country)]
        lead.expected = in_country[0].id if len(in_country) == 1 else ""


if __name__ == "__main__":
    main()
