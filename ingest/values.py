"""Parsing of single values found in exports: dates, numbers, durations, lists, outcomes.

Each parser returns ``None`` for an absent value and raises ``ValueError`` with a short
reason for a present but unusable one, so the caller can tell "missing" from "invalid"
(the distinction the EU element check reports).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from skillgap.text import clean_line, clean_text


def is_blank(value: Any, null_values: set[str] | frozenset[str] = frozenset()) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, str):
        s = value.strip()
        return not s or s in null_values
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def parse_date(value: Any, formats: list[str] | None = None) -> date | None:
    """ISO 8601 (date or date-time, 'Z' allowed) or one of ``formats`` (strptime)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    for fmt in formats or []:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    try:
        return date.fromisoformat(s[:10]) if len(s) >= 10 and s[4] == "-" else date.fromisoformat(s)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise ValueError(f"unparseable date '{s[:40]}'") from exc


_NUM = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def parse_number(value: Any) -> float | None:
    """A number from ``5``, ``"5"``, ``"5,5"`` or ``"5 ECTS"`` (first number in the text)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    m = _NUM.search(str(value))
    if not m:
        raise ValueError(f"not a number: '{str(value)[:40]}'")
    return float(m.group(0).replace(",", "."))


_ISO_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_hours(value: Any) -> float | None:
    """Hours of learning from a number, ``"40 hours"`` or an ISO 8601 duration (``PT60H``).

    Calendar parts of a duration (days, weeks, months) are not learning hours and are
    rejected rather than guessed.
    """
    if is_blank(value):
        return None
    s = str(value).strip()
    if s.startswith("P"):
        m = _ISO_DURATION.match(s)
        if not m:
            raise ValueError(f"unparseable duration '{s[:40]}'")
        if any(m.group(k) for k in ("y", "mo", "w", "d")):
            raise ValueError(f"duration '{s}' is calendar time, not hours of learning")
        h = (
            float(m.group("h") or 0)
            + float(m.group("mi") or 0) / 60
            + float(m.group("s") or 0) / 3600
        )
        return h
    return parse_number(value)


def parse_list(value: Any) -> list[str]:
    """A list from a JSON array (as text or object), or a newline/semicolon-separated string."""
    if is_blank(value):
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value if not is_blank(v)]
    else:
        s = str(value).strip()
        if s.startswith("["):
            try:
                parsed = json.loads(s)
            except json.JSONDecodeError as exc:
                raise ValueError(f"invalid JSON list: {exc.msg}") from exc
            if not isinstance(parsed, list):
                raise ValueError("expected a JSON list")
            items = [str(v) for v in parsed if not is_blank(v)]
        else:
            items = re.split(r"\s*(?:\r?\n|;)\s*", s)
    return [clean_line(i) for i in items if clean_line(i)]


# Verbs that start learning outcomes (Bloom's taxonomy and catalogue usage). They let the
# splitter cut outcomes that a scraper glued together ("...GitHub actionsDefine CI...")
# without cutting brand names such as "JavaScript" or "GitHub".
_OUTCOME_VERBS = frozenset(
    """analyse analyze apply appraise articulate assess automate build calculate categorize
    categorise choose classify collaborate combine communicate compare compile compose
    compute conduct configure construct contrast craft create critique debug define deliver
    demonstrate deploy derive describe design determine develop diagnose differentiate discover
    discuss distinguish edit employ engage enhance establish estimate evaluate examine execute
    explain explore express extract formulate gain generate get identify illustrate implement
    improve integrate interpret investigate justify know lead learn leverage list maintain
    manage map master measure model monitor navigate operate optimize optimise organize
    organise outline perform plan practice practise predict prepare present prioritize
    prioritise produce program propose prototype provide read recognize recognise recommend
    reflect refine relate report research review run select shoot simulate solve specify
    state summarize summarise support synthesize synthesise test train translate troubleshoot
    understand use utilize utilise validate visualize visualise write""".split()  # noqa: SIM905
)
_SENTENCE_GLUE = re.compile(r"(?<=[a-z0-9)\]\"'%])[.!?](?=[A-ZÀ-Ý¿¡])")
_BULLET = re.compile(r"\s*(?:\r?\n|;|•|·|\u2022|\s-\s)\s*")
_CAMEL = re.compile(r"(?<=[A-Za-z0-9)\]])(?=[A-Z][a-z]+\b)")


def split_outcomes(value: Any) -> list[str]:
    """Individual learning-outcome statements from a list or a run-together string.

    Handles, in order: JSON lists; newline/semicolon/bullet separated text; sentences glued
    after a full stop ("...red.Conocer..."); outcomes glued without any separator where the
    next one starts with a capitalised learning verb ("...GitHub actionsDefine..."); and
    outcomes that all start with the same lowercase lead word glued together
    ("...usagelearn about...").
    """
    if is_blank(value):
        return []
    if isinstance(value, list | tuple) or (
        isinstance(value, str) and value.strip().startswith("[")
    ):
        try:
            return [s for item in parse_list(value) for s in split_outcomes(item)] or []
        except ValueError:
            pass
    text = clean_text(value)
    parts = [p for p in _BULLET.split(text) if p and p.strip(" -")]
    out: list[str] = []
    for part in parts:
        part = _SENTENCE_GLUE.sub(lambda m: m.group(0) + "\n", part)
        part = _CAMEL.sub(_camel_cut, part)
        lead = part.split(" ", 1)[0]
        if lead.isalpha() and lead.islower() and len(lead) >= 4:
            part = re.sub(rf"(?<=[a-z)])(?={re.escape(lead)}\b)", "\n", part)
        for piece in part.split("\n"):
            piece = piece.strip(" -\t")
            if piece:
                out.append(piece)
    return _merge_short(out)


def _camel_cut(m: re.Match[str]) -> str:
    word = re.match(r"[A-Z][a-z]+", m.string[m.end() :])
    if word and word.group(0).lower() in _OUTCOME_VERBS:
        return "\n"
    return ""


def _merge_short(parts: list[str], min_words: int = 2) -> list[str]:
    """Glue fragments of fewer than ``min_words`` words back onto the previous statement."""
    out: list[str] = []
    for p in parts:
        if out and len(p.split()) < min_words:
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out
