"""How lead-to-account matching scales: index build time and memory, leads per second, latency.

    python benchmarks/matching_scale.py                 # 1,000,000 accounts, 20,000 leads
    python benchmarks/matching_scale.py --accounts 100000 --leads 5000

Accounts are synthetic but shaped like a CRM's: made-up brand words (so the vocabulary grows
with the number of accounts, as real names do), shared industry words, legal forms of several
countries, websites, billing countries. Leads are a mix of domain hits, exact names from
free-mail addresses, typo variants, and companies that are not accounts. Targets: build ≤ 45 s
and ≤ 2.5 GB peak RSS at 1,000,000 accounts; ≥ 10,000 leads/s and p99 ≤ 2 ms on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from collections.abc import Iterator

from routing.matching import AccountMatcher
from routing.model import Account, Lead

SEED = 20_240_611
SYLLABLES = [
    c + v
    for c in ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr")
    for v in ("a", "e", "i", "o", "u", "ay", "or", "en", "ix", "on")
]
INDUSTRIES = [
    "Foods", "Media", "Capital", "Health", "Energy", "Logistics", "Labs", "Systems", "Bank",
    "Retail Group", "Manufacturing", "Learning", "Software", "Analytics", "Consulting",
    "Pharmaceuticals", "Insurance", "Motors", "Textiles", "Robotics", "Dental", "Airlines",
]  # fmt: skip
LEGAL_FORMS = ["Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Corp.", "B.V.", "AB (publ)", "S.p.A.", ""]
COUNTRIES = ["United States", "USA", "UK", "Germany", "France", "Japan", "Brazil", "India", "NL"]
TLDS = [".com", ".io", ".co.uk", ".de", ".com.br", ".fr"]


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def synthetic_accounts(count: int, rng: random.Random) -> Iterator[Account]:
    for number in range(count):
        words = brand(rng) if rng.random() < 0.85 else f"{brand(rng)} {brand(rng)}"
        industry = rng.choice(INDUSTRIES)
        name = f"{words} {industry} {rng.choice(LEGAL_FORMS)}".strip()
        domain = f"{words}{industry}".replace(" ", "").lower() + rng.choice(TLDS)
        yield Account(
            id=f"001{number:012d}",
            name=name,
            website=f"https://www.{domain}" if rng.random() < 0.9 else None,
            billing_country=rng.choice(COUNTRIES),
        )


def typo(word: str, rng: random.Random) -> str:
    position = rng.randrange(1, len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return rng.choice(
        [
            word[:position] + word[position + 1 :],
            word[:position] + letter + word[position:],
            word[:position] + letter + word[position + 1 :],
        ]
    )


def synthetic_leads(
    accounts: list[Account], count: int, rng: random.Random
) -> list[tuple[Lead, str | None]]:
    """Leads with the account each was made from (None: a made-up company)."""
    leads: list[tuple[Lead, str | None]] = []
    for number in range(count):
        account = rng.choice(accounts)
        kind = number % 4
        lead_id = f"00Q{number:012d}"
        if kind == 0 and account.website:
            host = account.website.removeprefix("https://www.")
            leads.append((Lead(lead_id, email=f"jo@{host}", company=account.name), account.id))
        elif kind == 1:
            lead = Lead(lead_id, email="jo@gmail.com", company=account.name.upper())
            leads.append((lead, account.id))
        elif kind == 2:
            first, _, rest = account.name.partition(" ")
            company = f"{typo(first, rng)} {rest}" if len(first) > 5 else account.name
            leads.append((Lead(lead_id, email="jo@yahoo.com", company=company), account.id))
        else:
            company = f"{brand(rng)}{brand(rng).lower()} {rng.choice(INDUSTRIES)}"
            email = f"jo@{company.split()[0].lower()}.net"
            leads.append((Lead(lead_id, email=email, company=company), None))
    return leads


def print_correctness(leads: list[tuple[Lead, str | None]], found: list[str | None]) -> None:
    """Among leads made from an account: right, wrong, none; made-up companies matched."""
    right = wrong = none = made_up_matched = 0
    for (_, expected), account_id in zip(leads, found, strict=True):
        if expected is None:
            made_up_matched += account_id is not None
        elif account_id is None:
            none += 1
        else:
            right += account_id == expected
            wrong += account_id != expected
    print(
        f"leads made from an account: {right:,} right, {wrong:,} wrong, {none:,} no match; "
        f"made-up companies matched: {made_up_matched:,}"
    )


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    print("load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))

    accounts = list(synthetic_accounts(args.accounts, rng))
    print(f"accounts: {len(accounts):,} (generated; peak RSS so far {peak_rss_gb():.2f} GB)")
    started = time.perf_counter()
    matcher = AccountMatcher(accounts)
    build_seconds = time.perf_counter() - started
    print(f"index build: {build_seconds:.1f} s; peak RSS {peak_rss_gb():.2f} GB")

    labelled = synthetic_leads(accounts, args.leads, rng)
    leads = [lead for lead, _ in labelled]
    for lead in leads[:200]:
        matcher.match(lead)  # warm up
    latencies = []
    methods: dict[str, int] = {}
    matched: list[str | None] = []
    started = time.perf_counter()
    for lead in leads:
        before = time.perf_counter_ns()
        result = matcher.match(lead)
        latencies.append((time.perf_counter_ns() - before) / 1e6)
        methods[result.method] = methods.get(result.method, 0) + 1
        matched.append(result.account_id)
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"matched {len(leads):,} leads in {elapsed:.2f} s: {len(leads) / elapsed:,.0f} leads/s")
    p50 = statistics.median(latencies)
    print(f"latency ms: p50 {p50:.3f}  p99 {p99:.3f}  max {latencies[-1]:.3f}")
    print(f"by method: {dict(sorted(methods.items()))}")
    print_correctness(labelled, matched)

    changed = accounts[len(accounts) // 2]
    renamed = Account(changed.id, "Zyxquorp Dynamics Ltd", "zyxquorp.example", billing_country="DE")
    started = time.perf_counter()
    matcher.upsert_account(renamed)
    upsert_ms = (time.perf_counter() - started) * 1000
    found = matcher.match(Lead("00Qcheck", email="x@gmail.com", company="Zyxquorp Dynamics"))
    old = matcher.match(Lead("00Qold", email="x@gmail.com", company=changed.name))
    print(
        f"incremental upsert: {upsert_ms:.3f} ms; renamed account found: "
        f"{found.account_id == changed.id}; "
        f"old name still matches it: {old.account_id == changed.id}"
    )
    print(f"peak RSS: {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
