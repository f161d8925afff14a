"""Which text of a stored document is mapped to ESCO, field by field.

Vacancies: the ad body only; its title names an occupation (mapped separately) and, mapped
as a skill statement, would add the occupation's core skill to every ad. The title is
still passed along as context for the requirement and context models.

Credentials: everything that says what a credential teaches, in this order - learning
outcomes, the description, the catalogue's own skill tags - and the title only when none
of those yields a skill (a title names a topic, not an outcome). Each mention records the
field it came from, and a credential that still yields nothing is counted and listed by
the flow, never silently treated as teaching nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

CREDENTIAL_FIELDS: tuple[str, ...] = ("learning_outcomes", "description", "skill_tags")

# Store columns each document type's texts are built from (besides id and content hash),
# so the partition planner reads only those from the store.
COLUMNS: dict[str, tuple[str, ...]] = {
    "vacancy": ("title", "text", "occupation"),
    "credential": ("title", *CREDENTIAL_FIELDS),
}


@dataclass(frozen=True)
class FieldText:
    """One piece of a document to map: which document, which field, what text."""

    doc_id: str
    field: str
    text: str
    title: str = ""


def _items(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    try:
        return [str(x) for x in value if x is not None and str(x).strip()]  # type: ignore[union-attr]
    except TypeError:
        return [str(value)]


def vacancy_texts(vacancies: pd.DataFrame) -> list[FieldText]:
    """The body of each ad, with its title as context."""
    titles = vacancies["title"] if "title" in vacancies.columns else [""] * len(vacancies)
    return [
        FieldText(str(i), "text", str(t or ""), str(ti or ""))
        for i, t, ti in zip(vacancies["vacancy_id"], vacancies["text"], titles, strict=True)
    ]


def credential_texts(credentials: pd.DataFrame) -> list[FieldText]:
    """Every non-empty descriptive field of each credential (one item per field)."""
    out: list[FieldText] = []
    for row in credentials.to_dict("records"):
        cid, title = str(row["credential_id"]), str(row.get("title") or "")
        for name in CREDENTIAL_FIELDS:
            items = _items(row.get(name))
            if items:
                out.append(FieldText(cid, name, "\n".join(items), title))
    return out


def credential_titles(credentials: pd.DataFrame, without: set[str]) -> list[FieldText]:
    """The title of each credential in ``without`` (those no other field gave a skill)."""
    return [
        FieldText(str(cid), "title", str(t or ""), str(t or ""))
        for cid, t in zip(credentials["credential_id"], credentials["title"], strict=True)
        if str(cid) in without and str(t or "").strip()
    ]
