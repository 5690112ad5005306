"""Small statistics for best-fit routing, standard library only: beta intervals, the
method-of-moments prior strength, binomial draws and a bootstrap of a difference of rates."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959964
KAPPA_MIN = 2.0
KAPPA_MAX = 10_000.0
_EDGE = 1e-4


def clamp_rate(p: float) -> float:
    return min(1.0 - _EDGE, max(_EDGE, p))


def beta_interval(alpha: float, beta: float, z: float = Z95) -> tuple[float, float]:
    """An approximate central interval of Beta(alpha, beta): normal on the logit scale, which
    stays inside (0, 1) and is close to exact once there are a few dozen deals."""
    total = alpha + beta
    p = clamp_rate(alpha / total)
    sd = math.sqrt(alpha * beta / (total * total * (total + 1.0)))
    spread = z * sd / (p * (1.0 - p))
    centre = math.log(p / (1.0 - p))
    return _expit(centre - spread), _expit(centre + spread)


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True, slots=True)
class Cell:
    """A group's evidence: its (recency-weighted) rate, its effective number of deals, and
    the rate it is shrunk toward."""

    rate: float
    effective_n: float
    prior_rate: float


def prior_strength(cells: Sequence[Cell]) -> float:
    """How many deals the prior is worth (empirical Bayes, method of moments): the spread of
    the groups' rates around their priors, less what sampling noise alone explains. No spread
    beyond the noise means no real differences: the prior then outweighs any group's deals."""
    noise_free = [c for c in cells if c.effective_n > 1.0]
    if len(noise_free) < 2:
        return KAPPA_MAX
    excess = sum(
        (c.rate - c.prior_rate) ** 2 - c.prior_rate * (1 - c.prior_rate) / c.effective_n
        for c in noise_free
    )
    weight = sum(1.0 - 1.0 / c.effective_n for c in noise_free)
    between = excess / weight
    if between <= 0.0:
        return KAPPA_MAX
    mean_var = sum(c.prior_rate * (1 - c.prior_rate) for c in noise_free) / len(noise_free)
    return min(KAPPA_MAX, max(KAPPA_MIN, mean_var / between - 1.0))


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw (random.binomialvariate is Python 3.12+): exact for small n or small
    variance, normal beyond, which is ample for a bootstrap."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    if n < 64:
        return sum(rng.random() < p for _ in range(n))
    mean = n * p
    variance = mean * (1.0 - p)
    if variance < 30.0:
        return _binomial_by_inversion(rng, n, p)
    return min(n, max(0, round(rng.gauss(mean, math.sqrt(variance)))))


def _binomial_by_inversion(rng: random.Random, n: int, p: float) -> int:
    u = rng.random()
    odds = p / (1.0 - p)
    pmf = (1.0 - p) ** n
    cdf, k = pmf, 0
    while u > cdf and k < n:
        pmf *= odds * (n - k) / (k + 1)
        k += 1
        cdf += pmf
    return k


@dataclass(frozen=True, slots=True)
class Rates:
    """Won and total in two groups: deals given to the chosen rep, and the others."""

    chosen_won: int
    chosen_n: int
    other_won: int
    other_n: int

    def uplift(self) -> float | None:
        if not self.chosen_n or not self.other_n:
            return None
        return self.chosen_won / self.chosen_n - self.other_won / self.other_n


def bootstrap_uplift(
    rates: Rates, seed: int, resamples: int = 2000
) -> tuple[float | None, float | None]:
    """Percentile 95% interval of the uplift over resampled test sets. Resampling deals is
    resampling the four (group × outcome) counts from a multinomial, which is what runs here:
    the same interval as resampling a million deals, in a few milliseconds."""
    n = rates.chosen_n + rates.other_n
    if not rates.chosen_n or not rates.other_n:
        return None, None
    counts = (
        rates.chosen_won,
        rates.chosen_n - rates.chosen_won,
        rates.other_won,
        rates.other_n - rates.other_won,
    )
    rng = random.Random(seed)
    draws: list[float] = []
    for _ in range(resamples):
        cw, cl, ow, ol = _multinomial(rng, n, counts)
        if cw + cl and ow + ol:
            draws.append(cw / (cw + cl) - ow / (ow + ol))
    draws.sort()
    if not draws:
        return None, None
    return draws[int(0.025 * (len(draws) - 1))], draws[int(0.975 * (len(draws) - 1))]


def _multinomial(rng: random.Random, n: int, counts: Sequence[int]) -> list[int]:
    left, total, out = n, sum(counts), []
    for count in counts[:-1]:
        draw = binomial(rng, left, count / total) if total else 0
        out.append(draw)
        left -= draw
        total -= count
    out.append(left)
    return out
