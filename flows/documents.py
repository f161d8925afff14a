"""What text of each stored document the mapper reads: the one place that decides it.

Kept apart from the partition machinery because it is a modelling choice (which fields
of an ad or a credential are evidence of skills), not plumbing, and it will change on its
own. ``COLUMNS`` says which store columns the assembly needs, so the planner reads only
those from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

# Store columns each document type's text is built from (besides id and content hash).
COLUMNS: dict[str, tuple[str, ...]] = {
    "vacancy": ("text",),
    "credential": ("title", "learning_outcomes"),
}


def vacancy_texts(frame: pd.DataFrame) -> list[str]:
    """Skills come from the ad body only: a job title names an occupation, and mapping it
    as a skill statement would add the occupation's core skill to every ad."""
    return [str(x or "") for x in frame["text"]]


def credential_texts(frame: pd.DataFrame) -> list[str]:
    """The learning outcomes, one per line; the title when a credential states none."""
    texts = []
    for title, outcomes in zip(frame["title"], frame["learning_outcomes"], strict=True):
        items = [str(x) for x in _items(outcomes) if str(x).strip()]
        texts.append("\n".join(items) if items else str(title or ""))
    return texts


def document_texts(doc_type: str, frame: pd.DataFrame) -> list[str]:
    """The texts to map for ``frame`` (rows of the ``vacancies`` or ``credentials`` table)."""
    return vacancy_texts(frame) if doc_type == "vacancy" else credential_texts(frame)


def _items(value: Any) -> Iterable[Any]:
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        return [value]
    return list(value)
