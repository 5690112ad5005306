"""Synthetic deal histories with a known truth, for tests, benchmarks and demos: each rep is a
specialist in one industry (win rate `base + skill` there, `base` elsewhere), or, with
`skill=0`, no rep is better than another anywhere. Deals were handed out evenly, as round
robin would, so a model can only find skill that is really there."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from routing.bestfit._segments import segment_value
from routing.bestfit.model import ClosedDeal
from routing.model import Account, FieldValue, Opportunity, Rep

INDUSTRIES = (
    "Software",
    "Retail",
    "Healthcare",
    "Financial Services",
    "Energy",
    "Media",
    "Manufacturing",
    "Education",
)
SOURCES = ("Web", "Partner", "Event", "Outbound")


@dataclass(frozen=True)
class SyntheticHistory:
    users: Mapping[str, Rep]
    accounts: Mapping[str, Account]
    opportunities: tuple[Opportunity, ...]
    truth: Mapping[tuple[str, str], float]  # (rep, Account.Industry segment) → win probability
    start: datetime
    end: datetime


def synthetic_history(
    n_opps: int,
    *,
    reps: int = 8,
    skill: float = 0.15,
    base: float = 0.25,
    seed: int = 7,
    start: datetime = datetime(2023, 1, 1, tzinfo=UTC),
    days: int = 730,
) -> SyntheticHistory:
    rng = random.Random(seed)
    industries = [INDUSTRIES[i % len(INDUSTRIES)] for i in range(max(reps, len(INDUSTRIES)))]
    industries = list(dict.fromkeys(industries))
    users = {
        f"005R{i:03d}": Rep(f"005R{i:03d}", f"Rep {i}", f"rep{i}@x.example") for i in range(reps)
    }
    rep_ids = list(users)
    truth = {
        (rep, segment_value("Industry", industry)): base
        + (skill if i % len(industries) == j else 0)
        for i, rep in enumerate(rep_ids)
        for j, industry in enumerate(industries)
    }
    accounts = _accounts(rng, max(50, min(50_000, n_opps // 20)), industries)
    account_list = list(accounts.values())
    opps = tuple(
        _opportunity(rng, i, account_list, rep_ids, truth, start, days) for i in range(n_opps)
    )
    return SyntheticHistory(users, accounts, opps, truth, start, start + timedelta(days=days))


def _accounts(rng: random.Random, count: int, industries: list[str]) -> dict[str, Account]:
    accounts = {}
    for i in range(count):
        industry = rng.choice(industries)
        employees = int(10 ** rng.uniform(1, 4.5))
        fields: dict[str, FieldValue] = {"Industry": industry, "NumberOfEmployees": employees}
        accounts[f"001S{i:07d}"] = Account(
            f"001S{i:07d}", f"Account {i}", industry=industry, employees=employees, fields=fields
        )
    return accounts


def _opportunity(
    rng: random.Random,
    i: int,
    accounts: list[Account],
    reps: list[str],
    truth: Mapping[tuple[str, str], float],
    start: datetime,
    days: int,
) -> Opportunity:
    account = accounts[int(rng.random() * len(accounts))]
    owner = reps[int(rng.random() * len(reps))]
    created = start + timedelta(seconds=rng.random() * days * 86_400)
    closed = created + timedelta(days=10 + rng.random() * 110)
    won = rng.random() < truth[(owner, segment_value("Industry", account.industry))]
    amount = round(5_000 + rng.random() * 95_000, 2)
    source = SOURCES[int(rng.random() * len(SOURCES))]
    return Opportunity(
        f"006S{i:09d}",
        account.id,
        owner,
        is_closed=True,
        is_won=won,
        amount=amount,
        created_date=created,
        close_date=closed,
        stage="Closed Won" if won else "Closed Lost",
        fields={"LeadSource": source, "Amount": amount},
    )


def planted_uplift(
    truth: Mapping[tuple[str, str], float], test: Iterable[ClosedDeal], reps: list[str]
) -> float | None:
    """The uplift an oracle would show on these deals: the true win rate of deals whose rep
    was the truly best one for the segment, minus that of the others (in expectation)."""
    chosen: list[float] = []
    other: list[float] = []
    for deal in test:
        best = max(reps, key=lambda r: (truth.get((r, deal.segment), 0.0), r))
        p = truth.get((deal.owner_id, deal.segment), 0.0)
        (chosen if deal.owner_id == best else other).append(p)
    if not chosen or not other:
        return None
    return sum(chosen) / len(chosen) - sum(other) / len(other)
