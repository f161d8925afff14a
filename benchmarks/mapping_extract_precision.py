"""Extract-mode precision proxy on SkillSpan postings (gold skill/knowledge spans).

    .venv/bin/python -m benchmarks.mapping_extract_precision [--split dev|train|all]

SkillSpan has no ESCO links, but it marks every skill and knowledge span. A skill the
mapper extracts from a sentence that holds no gold span is very likely a false skill
(company blurb, benefit, title line). Prints, with and without the boilerplate filter:
how many skills were extracted, the share landing in sentences with no gold span, and
the share of gold-bearing sentences that got at least one skill.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent


def _norm(x: str) -> str:
    return " ".join(x.lower().split())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["train", "dev", "all"], default="all")
    ap.add_argument("--model-path", type=Path, default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("SKILLGAP_DATA_DIR", str(REPO / ".skillgap-data"))
    from benchmarks.mapping_common import load_official_taxonomy, shared_root
    from skillgap.config import get_settings
    from skillgap.nlp.mapper import SkillMapper
    from skillgap.nlp.segment import segment

    path = shared_root() / "data/vacancies/skillspan/skillspan_postings_train_dev.jsonl"
    sentences: list[tuple[str, bool, bool]] = []  # (text, has gold span, boilerplate)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if args.split != "all" and rec["split"] != args.split:
                continue
            spans = [_norm(s) for s in rec["skill_spans"] + rec["knowledge_spans"] if s.strip()]
            for seg in segment(rec["text"]):
                low = _norm(seg.text)
                sentences.append((seg.text, any(s in low for s in spans), seg.boilerplate))
    mapper = SkillMapper.load(load_official_taxonomy(), get_settings(), model_path=args.model_path)
    unique = list(dict.fromkeys(s for s, _, _ in sentences))
    hits = dict(zip(unique, mapper.extract_sentences(unique), strict=True))
    n_gold_sent = sum(1 for _, g, _ in sentences if g)
    print(
        f"{len(sentences)} sentences ({n_gold_sent} with a gold span), "
        f"threshold {mapper.fusion.threshold}, model {mapper.model_id}"
    )
    print(
        f"{'filter':<12} {'skills':>7} {'in no-gold sent.':>17} {'gold sent. covered':>19} "
        f"{'sent. with skill':>17}"
    )
    for name, use_filter in (("none", False), ("boilerplate", True)):
        n, bad, covered, with_skill = 0, 0, 0, 0
        for text, gold, boiler in sentences:
            found = [] if (use_filter and boiler) else hits[text]
            n += len(found)
            if not gold:
                bad += len(found)
            elif found:
                covered += 1
            with_skill += bool(found)
        print(
            f"{name:<12} {n:>7} {bad / max(1, n):>17.1%} {covered / max(1, n_gold_sent):>19.1%} "
            f"{with_skill / max(1, len(sentences)):>17.1%}"
        )


if __name__ == "__main__":
    main()
