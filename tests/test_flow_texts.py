"""What text of a stored document is mapped, field by field."""

from __future__ import annotations

import pandas as pd

from skillgap.flows.texts import credential_texts, credential_titles, vacancy_texts


def test_credentials_are_mapped_from_every_descriptive_field() -> None:
    creds = pd.DataFrame(
        {
            "credential_id": ["c1", "c2", "c3"],
            "title": ["Dementia care", "Intro to SQL", "Leadership"],
            "learning_outcomes": [[], ["Write SQL queries"], None],
            "description": ["Caring for people living with dementia", None, ""],
            "skill_tags": [["Dementia Care", "Empathy"], [], None],
        }
    )
    parts = credential_texts(creds)
    got = {(p.doc_id, p.field): p.text for p in parts}
    assert got == {
        ("c1", "description"): "Caring for people living with dementia",
        ("c1", "skill_tags"): "Dementia Care\nEmpathy",
        ("c2", "learning_outcomes"): "Write SQL queries",
    }
    assert all(p.title for p in parts)
    # the title is the last resort, for credentials nothing else described
    titles = credential_titles(creds, {"c3"})
    assert [(t.doc_id, t.field, t.text) for t in titles] == [("c3", "title", "Leadership")]


def test_vacancies_map_the_body_with_the_title_as_context() -> None:
    vac = pd.DataFrame({"vacancy_id": ["v1"], "title": ["Chef"], "text": ["Cook fresh food."]})
    (v,) = vacancy_texts(vac)
    assert (v.doc_id, v.field, v.text, v.title) == ("v1", "text", "Cook fresh food.", "Chef")
