"""Which ESCO skills a micro-credential teaches, decided from ESCO's own data."""

from __future__ import annotations

from skillgap.taxonomies.kinds import CREDENTIAL_KINDS, KINDS, kind_basis, skill_kinds


def test_kinds_on_the_official_taxonomy(esco_official) -> None:
    kinds = skill_kinds(esco_official)
    assert set(kinds.unique()) == set(KINDS) and len(kinds) == len(esco_official.skills)

    def kind(label: str) -> str:
        return str(kinds[esco_official.skills_by_label(label)[0]])

    # attitudes and generic competences (reuse level transversal, or only under branch T)
    for label in (
        "show commitment",
        "assume responsibility",
        "work in teams",
        "perform services in a flexible manner",
        "attend to detail",
    ):
        assert kind(label) == "transversal", label
    assert kind("English") == "language"
    # ordinary skills that ESCO also files under T stay teachable
    for label in (
        "tend to elderly people",
        "Python (computer programming)",
        "carry out statistical forecasts",
        "manage staff",
    ):
        assert kind(label) in CREDENTIAL_KINDS, label
    assert kind("Python (computer programming)") == "knowledge"
    assert "collections" in kind_basis(esco_official)
