"""Whole-posting extraction measures on the SkillSpan postings in ../shared.

    python -m benchmarks.postings                    # dev postings, default threshold
    python -m benchmarks.postings --thresholds 0.1 0.2 0.3 0.4
    python -m benchmarks.postings --validity 0.3 0.36 0.4 0.5   # sweep the validity cut-off

The protocol is the one of ``../shared/eval/skillmap-dev/README.md`` ("Whole postings"):
run the product's extract path (``SkillMapper.extract``: segmentation, requirement
detection, matching, context, thresholds) on each posting's text and report per source

- **no-span share**: share of extracted mentions whose evidence sentence contains none of
  the posting's gold skill/knowledge spans (lower case, collapsed whitespace); lower is
  better, these are mostly false skills;
- **span-sentence coverage**: share of sentences holding a gold span that get at least
  one mention; higher is better;
- mentions per posting.

A mention counts when its demand score reaches the threshold the analysis applies
(``AnalysisParams().min_mention_score`` unless ``--thresholds`` says otherwise). The train
postings are what ``scripts/fit_requirements.py`` learns from; report dev.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
POSTINGS = "data/vacancies/skillspan/skillspan_postings_train_dev.jsonl"


def norm(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass
class Posting:
    split: str
    source: str
    idx: str
    text: str
    spans: list[str]  # normalised gold skill + knowledge spans

    def has_span(self, sentence: str) -> bool:
        low = norm(sentence)
        return any(s in low for s in self.spans)


def load_postings(split: str | None = None) -> list[Posting]:
    from benchmarks.mapping_common import shared_root

    out = []
    with open(shared_root() / POSTINGS, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if split is not None and rec["split"] != split:
                continue
            spans = [norm(s) for s in rec["skill_spans"] + rec["knowledge_spans"] if s.strip()]
            out.append(Posting(rec["split"], rec["source"], str(rec["idx"]), rec["text"], spans))
    return out


def posting_measures(
    postings: list[Posting], docs: list[Any], threshold: float, per_skill: bool = False
) -> dict[str, dict[str, float]]:
    """Per source and overall: no-span share, span-sentence coverage, mentions/posting.

    ``docs`` are ``nlp.documents.DocumentSkills`` of the postings (same order). Mentions
    are sentence-level (every sentence that states a skill counts, as in the protocol's
    reference figures); ``per_skill`` counts only each skill's best sentence per posting,
    which is what ``skill_mentions`` stores.
    """
    acc: dict[str, dict[str, float]] = {}
    for p, d in zip(postings, docs, strict=True):
        for key in (p.source, "all"):
            a = acc.setdefault(key, dict.fromkeys(("n", "bad", "gold", "covered", "docs"), 0.0))
            a["docs"] += 1
            found = d.hits if per_skill else [h for _, h in d.mentions]
            hits = [h for h in found if h.score >= threshold]
            a["n"] += len(hits)
            a["bad"] += sum(1 for h in hits if not p.has_span(h.sentence))
            with_hit = {h.sentence for h in hits}
            gold = [s for s in d.sentences if p.has_span(s)]
            a["gold"] += len(gold)
            a["covered"] += sum(1 for s in gold if s in with_hit)
    return {
        k: {
            "no_span_share": a["bad"] / max(a["n"], 1),
            "coverage": a["covered"] / max(a["gold"], 1),
            "mentions_per_posting": a["n"] / max(a["docs"], 1),
            "mentions": a["n"],
        }
        for k, a in acc.items()
    }


def format_measures(rows: dict[str, dict[str, float]], label: str) -> str:
    lines = []
    for source in ("tech", "house", "all"):
        if source in rows:
            r = rows[source]
            lines.append(
                f"{label:<34} {source:<6} no-span {r['no_span_share']:6.1%}  coverage "
                f"{r['coverage']:6.1%}  mentions/posting {r['mentions_per_posting']:5.1f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["train", "dev"], default="dev")
    ap.add_argument("--thresholds", type=float, nargs="*", default=None)
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument(
        "--validity",
        type=float,
        nargs="*",
        default=None,
        help="validity cut-offs to compare (default: the fitted one only)",
    )
    args = ap.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    os.environ.setdefault("SKILLGAP_DATA_DIR", str(repo / ".skillgap-data"))
    from benchmarks.mapping_common import load_official_taxonomy
    from skillgap.config import get_settings
    from skillgap.gaps.params import AnalysisParams
    from skillgap.nlp.documents import extract_documents
    from skillgap.nlp.mapper import SkillMapper

    mapper = SkillMapper.load(load_official_taxonomy(), get_settings(), model_path=args.model_path)
    postings = load_postings(args.split)
    texts = [p.text for p in postings]
    notes = mapper.method_notes()
    print(f"{len(postings)} {args.split} postings; {json.dumps(notes)}")
    if args.validity:
        # one extraction with the validity gate open, then each cut-off applied to it
        base = extract_documents(mapper, texts, validity_threshold=0.0)
        runs = [(v, [_with_validity(d, v) for d in base]) for v in args.validity]
    else:
        runs = [(notes.get("validity_threshold"), extract_documents(mapper, texts))]
    for cut, docs in runs:
        head = f"validity >= {cut:.2f}: " if cut is not None else ""
        for thr in args.thresholds or [AnalysisParams().min_mention_score]:
            label = f"{head}score >= {thr:.2f}"
            print(format_measures(posting_measures(postings, docs, thr), label))
            per_skill = posting_measures(postings, docs, thr, per_skill=True)
            print(format_measures(per_skill, "  best sentence/skill"))


def _with_validity(doc: Any, cut: float) -> Any:
    """``doc`` as extraction at validity cut-off ``cut`` would have returned it."""
    from dataclasses import replace

    from skillgap.nlp.documents import best_per_skill

    mentions = [(i, h) for i, h in doc.mentions if h.validity >= cut]
    return replace(doc, mentions=mentions, hits=best_per_skill(mentions))


if __name__ == "__main__":
    main()
