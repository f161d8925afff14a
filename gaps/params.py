"""``AnalysisParams``: every knob of the gap analysis, validated once.

The ``[analysis]`` table of an analysis TOML config maps field-for-field onto this model
(unknown keys are an error), so each field's description is also the config documentation.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skillgap.gaps.tables import DIMENSIONS

_BREAKDOWN = re.compile(r"[a-z]+(\+[a-z]+)*")


class AnalysisParams(BaseModel):
    """Parameters of ``skillgap.gaps.analyse``; defaults suit a few thousand vacancies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    breakdowns: list[str] = Field(
        default_factory=lambda: ["sector", "region", "sector+region", "occupation"],
        description="Demand cells to compute besides 'all' and 'period' (always computed). "
        "Each is one dimension or several joined by '+', from sector, region, occupation, "
        "period. Every breakdown without 'period' is also a gap/trend scope.",
    )
    period: Literal["quarter", "month", "year"] = Field(
        "quarter", description="Granularity of the period derived from posted_date."
    )
    min_evidence: int = Field(
        10,
        ge=1,
        description="Minimum number of vacancies mentioning a skill in a cell before its "
        "share counts as evidence (so three ads never make a headline).",
    )
    min_cell_size: int = Field(
        30,
        ge=1,
        description="Minimum number of vacancies in a breakdown cell or scope; smaller cells "
        "are marked insufficient and listed in meta['insufficient'].",
    )
    confidence: float = Field(
        0.95, gt=0.5, lt=1.0, description="Confidence level of the Wilson intervals."
    )
    min_mention_score: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Vacancy mentions whose demand score (match x validity) is below this "
        "are not demand evidence. 0.05 from two measurements (benchmarks/results/"
        "validity.md): on the SkillSpan dev postings it halves the mentions in sentences "
        "that state no skill (51 % -> 20.6 %) at 57 % coverage, and on a judged sample of "
        "real UK ads it lifts lenient precision from 66 % to 76 %.",
    )
    coverage_threshold: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="A credential covers a skill when its mention score is at least this "
        "(gold ESCO links from a catalogue score 1.0).",
    )
    partial_coverage_threshold: float = Field(
        0.35,
        ge=0.0,
        le=1.0,
        description="A weaker credential match (at least this, below coverage_threshold) "
        "makes that credential an 'update' candidate for the skill.",
    )
    trend_alpha: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="False-discovery rate for trend flags (Benjamini-Hochberg over the "
        "skills of each scope, on Cochran-Armitage p-values).",
    )
    min_growth: float = Field(
        1.5,
        ge=1.0,
        description="Practical-size rule on top of the test: emerging needs share_last / "
        "share_first >= min_growth, declining needs <= 1 / min_growth.",
    )
    min_periods: int = Field(
        3, ge=2, description="Periods with vacancies needed before a trend is judged."
    )
    demand_scale: float = Field(
        0.05,
        gt=0.0,
        description="Share at which the demand term of the gap score reaches 1 - 1/e "
        "(D = 1 - exp(-ci_low / demand_scale)).",
    )
    action_threshold: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="Gap score from which an uncovered skill is classified 'develop' or "
        "'update' rather than 'monitor'.",
    )
    min_cooccurrence: int = Field(
        3,
        ge=1,
        description="Ads two skills must share before one counts as close to the other "
        "(update candidates, proposal clustering).",
    )
    min_lift: float = Field(
        1.5,
        ge=1.0,
        description="Co-occurrence lift P(a and b) / (P(a) P(b)) two skills need to count "
        "as related in ads.",
    )
    top_n: int = Field(
        50, ge=1, description="Cap on update-advice items per credential and per kind."
    )
    evidence_per_skill: int = Field(3, ge=0, description="Example snippets kept per skill.")
    evidence_max_skills: int = Field(
        200, ge=0, description="Skills (develop/update/declining first) that get snippets."
    )
    snippet_chars: int = Field(240, ge=40, description="Maximum snippet length.")
    proposal_min_skills: int = Field(
        3, ge=1, description="Smallest bundle a proposal aims for (padded with related skills)."
    )
    proposal_max_skills: int = Field(8, ge=1, description="Largest bundle of a proposal.")
    proposal_min_similarity: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="Similarity (ad overlap coefficient + ESCO group bonus) a skill needs "
        "to join a proposal bundle.",
    )
    max_proposals: int = Field(20, ge=0, description="Cap on the number of proposals.")

    @field_validator("breakdowns")
    @classmethod
    def _known_dimensions(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for item in value:
            item = item.strip()
            if item == "all":
                continue
            if not _BREAKDOWN.fullmatch(item):
                raise ValueError(f"breakdown {item!r}: write dimensions joined by '+'")
            dims = item.split("+")
            unknown = [d for d in dims if d not in DIMENSIONS]
            if unknown:
                raise ValueError(
                    f"breakdown {item!r}: unknown dimension(s) {unknown}; "
                    f"choose from {list(DIMENSIONS)}"
                )
            if len(set(dims)) != len(dims):
                raise ValueError(f"breakdown {item!r} repeats a dimension")
            canonical = "+".join(d for d in DIMENSIONS if d in dims)
            if canonical not in out:
                out.append(canonical)
        return out

    @model_validator(mode="after")
    def _consistent(self) -> AnalysisParams:
        if self.partial_coverage_threshold > self.coverage_threshold:
            raise ValueError("partial_coverage_threshold must not exceed coverage_threshold")
        if self.proposal_min_skills > self.proposal_max_skills:
            raise ValueError("proposal_min_skills must not exceed proposal_max_skills")
        return self

    def demand_breakdowns(self) -> list[tuple[str, ...]]:
        """Dimension tuples of every demand breakdown, 'all' (empty tuple) first."""
        out: list[tuple[str, ...]] = [(), ("period",)]
        for b in self.breakdowns:
            dims = tuple(b.split("+"))
            if dims not in out:
                out.append(dims)
        return out

    def scope_breakdowns(self) -> list[tuple[str, ...]]:
        """Breakdowns that are also gap and trend scopes: those without 'period'."""
        return [b for b in self.demand_breakdowns() if "period" not in b]
