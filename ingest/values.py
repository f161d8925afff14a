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


# A number (sign, digits with "." or "," separators, optional exponent) and an optional
# unit after it ("5 ECTS", "40 hours", "1e9").
_NUMBER = re.compile(r"^([-+]?\d[\d.,]*(?:[eE][-+]?\d+)?)\s*([^\W\d_][\w .()/%-]*)?$")
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def _number_token(token: str) -> float:
    """``token`` as a float, reading "." and "," as decimal or thousands separators.

    One separator followed by other than three digits is a decimal mark ("5,5", "2.75");
    repeated separators in groups of three are thousands ("1,000,000"; "1.000.000,5").
    A single separator before exactly three digits ("1,000") could be either and is
    refused rather than guessed.
    """
    mantissa, _, exponent = token.lower().partition("e")
    sign = ""
    if mantissa[:1] in "+-":
        sign, mantissa = mantissa[0], mantissa[1:]
    seps = [c for c in mantissa if c in ".,"]
    if not seps:
        plain = mantissa
    else:
        last = max(mantissa.rfind("."), mantissa.rfind(","))
        head, decimal = mantissa[:last], mantissa[last + 1 :]
        if len(seps) == 1:
            if len(decimal) == 3 and mantissa[last] == "," and not exponent:
                raise ValueError(f"ambiguous number '{token}' (decimal comma or thousands?)")
            plain = f"{head}.{decimal}"
        elif _GROUPED.fullmatch(mantissa):  # 1,000,000 or 1.000.000
            plain = mantissa.replace(mantissa[len(mantissa) - 4], "")
        elif _GROUPED.fullmatch(head) and mantissa[last] not in head:  # 1,000.5 / 1.000,5
            plain = f"{head.replace(head[len(head) - 4], '')}.{decimal}"
        else:
            raise ValueError(f"not a number: '{token}'")
    return float(f"{sign}{plain}" + (f"e{exponent}" if exponent else ""))


def parse_number(value: Any) -> float | None:
    """A number from ``5``, ``"5"``, ``"5,5"``, ``"1e3"`` or ``"5 ECTS"`` (number, then unit).

    Text that holds anything else ("5-10", "about 5", "3 or 4") is not one number and is
    refused, so that a range or a note is never stored as its first figure.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool | dict | list | tuple):
        raise ValueError(f"not a number: {str(value)[:40]!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        m = _NUMBER.match(str(value).strip())
        if not m:
            raise ValueError(f"not a number: '{str(value)[:40]}'")
        number = _number_token(m.group(1))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: '{str(value)[:40]}'")
    return number


def check_range(value: float | None, low: float, high: float, what: str) -> float | None:
    """``value`` when inside ``(low, high]``; a ``ValueError`` naming ``what`` otherwise."""
    if value is None:
        return None
    if not low < value <= high:
        raise ValueError(f"{what} {value:g} is outside the plausible range ({low:g}, {high:g}]")
    return value


def check_date(value: date | None, earliest: date, latest: date, what: str = "date") -> date | None:
    """``value`` when within ``earliest..latest``; a ``ValueError`` naming ``what`` otherwise.

    A posting date in year 1 or 9999 is a placeholder or a typo; kept, it stretches the
    report's period axis over millennia.
    """
    if value is None:
        return None
    if not earliest <= value <= latest:
        raise ValueError(
            f"{what} {value.isoformat()} is outside the plausible range "
            f"{earliest.isoformat()} to {latest.isoformat()}"
        )
    return value


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


def parse_tags(value: Any) -> list[str]:
    """A catalogue's skill tags: ``parse_list``, then commas split too ("Python, SQL" is
    how catalogues write tag lists); each tag once, in order."""
    tags = [t.strip() for item in parse_list(value) for t in item.split(",")]
    return list(dict.fromkeys(clean_line(t) for t in tags if clean_line(t)))


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
