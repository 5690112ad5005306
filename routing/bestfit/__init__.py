"""Best fit: which rep wins most often in a lead's segment, learned from closed deals, how a
pool chooses by it, and how well it would have done (the evaluation)."""

from routing.bestfit.choice import FitRequest
from routing.bestfit.evaluation import EvalSettings, evaluate
from routing.bestfit.model import (
    ClosedDeal,
    SkillModel,
    SkillSettings,
    closed_deals,
    lead_segment,
    parse_segment_field,
    train,
)

__all__ = [
    "ClosedDeal",
    "EvalSettings",
    "FitRequest",
    "SkillModel",
    "SkillSettings",
    "closed_deals",
    "evaluate",
    "lead_segment",
    "parse_segment_field",
    "train",
]
