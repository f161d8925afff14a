"""The 11 mandatory EU standard elements of a micro-credential (Council Recommendation of
16 June 2022, point 6b and Annex I): which are present, missing or invalid per credential.

Why it matters here: a catalogue entry that lacks a workload or an EQF level cannot be
compared with others or recognised across borders, which is itself a reason to flag a
credential for update. The status of each element is stored in the ``elem_<name>``
columns of ``credentials`` and printed by ``skillgap credentials check``.

Learner identification belongs to an issued credential, not to a catalogue entry, so it is
``not_applicable`` for catalogue items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skillgap.schemas import EU_STANDARD_ELEMENTS

PRESENT = "present"
MISSING = "missing"
INVALID = "invalid"
NOT_APPLICABLE = "not_applicable"
STATUSES = (PRESENT, MISSING, INVALID, NOT_APPLICABLE)


@dataclass
class ElementCheck:
    """Status per element plus a note saying why for each one that is not present."""

    status: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def set(self, element: str, status: str, note: str = "") -> None:
        self.status[element] = status
        if note:
            self.notes[element] = note

    @property
    def complete(self) -> bool:
        return all(s in (PRESENT, NOT_APPLICABLE) for s in self.status.values())

    def columns(self) -> dict[str, str]:
        return {f"elem_{name}": self.status[name] for name in EU_STANDARD_ELEMENTS}


def _text_status(value: Any) -> str:
    return PRESENT if isinstance(value, str) and value.strip() else MISSING


def check_elements(values: dict[str, Any], problems: dict[str, str] | None = None) -> ElementCheck:
    """Element statuses for one normalised credential.

    ``values`` holds the normalised contract fields plus ``learner_id`` (None for catalogue
    items, which makes learner identification not applicable). ``problems`` maps a field
    to the reason it could not be parsed (e.g. an unparseable date): such a field is
    ``invalid`` rather than ``missing``.
    """
    problems = problems or {}
    check = ElementCheck()
    learner = values.get("learner_id")
    if learner is None:
        check.set(
            "learner_identification",
            NOT_APPLICABLE,
            "catalogue entry: learner identification belongs to an issued credential",
        )
    else:
        check.set("learner_identification", _text_status(learner))
    for element, key in (
        ("title", "title"),
        ("country", "country"),
        ("awarding_body", "provider"),
        ("assessment_type", "assessment_type"),
        ("participation_form", "participation_form"),
        ("quality_assurance", "quality_assurance"),
    ):
        check.set(element, _text_status(values.get(key)))

    if "issue_date" in problems:
        check.set("date_of_issuing", INVALID, problems["issue_date"])
    else:
        check.set("date_of_issuing", PRESENT if values.get("issue_date") else MISSING)

    check.set("learning_outcomes", PRESENT if values.get("learning_outcomes") else MISSING)

    ects, hours = values.get("workload_ects"), values.get("workload_hours")
    bad = [p for k in ("workload_ects", "workload_hours") if (p := problems.get(k))]
    if any(v is not None and v <= 0 for v in (ects, hours)):
        check.set("notional_workload", INVALID, "workload must be positive")
    elif bad:  # one figure unusable: the workload is in doubt even if the other is fine
        check.set("notional_workload", INVALID, "; ".join(bad))
    elif ects is not None or hours is not None:
        check.set("notional_workload", PRESENT)
    else:
        check.set("notional_workload", MISSING)

    eqf = values.get("eqf_level")
    if "eqf_level" in problems:
        check.set("eqf_level", INVALID, problems["eqf_level"])
    elif eqf is None:
        check.set("eqf_level", MISSING)
    elif not 1 <= int(eqf) <= 8:
        check.set("eqf_level", INVALID, f"EQF level {eqf} is outside 1-8")
    else:
        check.set("eqf_level", PRESENT)

    for element in EU_STANDARD_ELEMENTS:
        if check.status.get(element) == MISSING and element not in check.notes:
            check.notes[element] = "not given"
    return check
