"""Segmentation, clauses, boilerplate and framing: fast, no model needed."""

from __future__ import annotations

from skillgap.nlp.segment import (
    MAX_SENTENCE_CHARS,
    clauses,
    is_boilerplate,
    segment,
    split_sentences,
)
from skillgap.text import clean_text


def test_bullets_and_lines_become_sentences() -> None:
    text = "Requirements:\n• Strong Python skills\n- SQL and data modelling\n* Git"
    sents = split_sentences(clean_text(text))
    assert sents == ["Requirements:", "Strong Python skills", "SQL and data modelling", "Git"]


def test_run_on_paragraph_is_split_by_sentencizer() -> None:
    text = "We build robots. You will write C++ code. You know ROS."
    assert split_sentences(text) == [
        "We build robots.",
        "You will write C++ code.",
        "You know ROS.",
    ]


def test_html_is_stripped_with_block_breaks() -> None:
    html = (
        "<div><p>About us</p><ul><li>Java</li><li>Kotlin &amp; Spring</li></ul>"
        "<script>x=1</script></div>"
    )
    text = clean_text(html)
    assert "<" not in text and "x=1" not in text
    assert split_sentences(text) == ["About us", "Java", "Kotlin & Spring"]


def test_bytes_with_invalid_utf8_do_not_crash() -> None:
    text = clean_text(b"Caf\xe9 manager \xff\xfe with food safety")
    assert "manager" in text and "food safety" in text


def test_clauses_split_lists_but_not_conjunctions() -> None:
    parts = clauses("Experience with Java, Kotlin (Spring); research and development")
    assert parts == ("Experience with Java", "Kotlin", "Spring", "research and development")
    assert clauses("Plain sentence without list") == ()


def test_boilerplate_cues() -> None:
    assert is_boilerplate("We are an equal opportunities employer.")
    assert is_boilerplate("Please send your CV to jobs@example.com")
    assert is_boilerplate("Competitive salary and 25 days holiday entitlement")
    assert not is_boilerplate("You will manage a team of five nurses.")
    assert not is_boilerplate("Run the annual salary review with HR")


def test_segment_flags_and_caps_long_text() -> None:
    segs = segment("Manage budgets.\nApply now via our website!\n" + "word " * 5000)
    assert segs[0].text == "Manage budgets." and not segs[0].boilerplate
    assert segs[1].boilerplate
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in segs)


def test_empty_and_whitespace() -> None:
    assert segment("") == [] and segment("   \n\t ") == [] and segment(None) == []


def test_strip_frame_keeps_the_skill_phrase() -> None:
    from skillgap.nlp.segment import strip_frame

    assert strip_frame("Strong experience with Java") == "Java"
    assert strip_frame("5+ years of experience in Python development") == "Python development"
    assert strip_frame("Ability to work in a team") == "work in a team"
    assert strip_frame("You will manage budgets") == "manage budgets"
    assert strip_frame("Excellent communication skills") == "Excellent communication skills"
    assert strip_frame("experience") == "experience"


def test_fusion_file_falls_back_to_defaults(tmp_path) -> None:
    import json

    from skillgap.nlp.fusion import DEFAULT_WEIGHTS, load_fusion

    assert load_fusion("x@1", tmp_path / "missing.json").weights == DEFAULT_WEIGHTS
    f = tmp_path / "fusion.json"
    entry = {"weights": {"sem_whole": 2.0}, "bias": -1.0, "threshold": 0.3}
    f.write_text(json.dumps({"models": {"enc": entry}}))
    fitted = load_fusion("enc@abc", f)
    assert fitted.weights == {"sem_whole": 2.0} and fitted.threshold == 0.3
    assert load_fusion("other@abc", f).weights == DEFAULT_WEIGHTS
