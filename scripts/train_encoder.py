"""Fine-tune all-MiniLM-L6-v2 to map job-ad sentences to ESCO preferred labels.

Why: the engine indexes each ESCO skill by its preferred label and queries with whole
job-ad sentences. The off-the-shelf MiniLM was never taught that "5+ years of Java and
Kotlin" should sit next to "Java (computer programming)", or that "ensure timely
delivery" is "meet deadlines". ESCO itself says so in many ways (alternative and hidden
labels, descriptions, the hierarchy), and SkillSpan's gold spans show how postings phrase
skills. We turn those into (anchor text -> preferred label) pairs and train with
MultipleNegativesRankingLoss (in-batch negatives plus optional hierarchy hard negatives).

Sources of pairs (anchor -> the skill's preferred label):

- ``alt``: every alternative and hidden label;
- ``desc``: the first sentence of the description;
- ``template``: job-ad sentences wrapping one to three labels ("Experience with X and
  Y is a plus", "You will X"), positive = one of the wrapped skills;
- ``span``: SkillSpan *train/dev* sentences and spans, pseudo-labelled with the skill the
  **base** model ranks first for the gold span (over preferred + alternative labels),
  kept only above a cosine threshold. Sentences equal to / containing / contained in a
  dev-set query are dropped: the dev set guides choices and is never trained on.

Only the transformer layers train; the embeddings stay frozen, so the committed artifact
is an int8 delta of the layers (see ``skillgap.nlp.training.artifact``).

Command that produced the committed artifact (2-core CPU, one torch thread):

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_encoder.py --write-artifact \
        --out /tmp/encoder-work/final

It prints its wall time and dev figures; ``--out DIR`` also keeps the full model dir.
Cost: 400 steps took ~10.5 CPU-minutes (2,530 s wall on a machine loaded ~10 deep); the
pseudo-labelling step embeds the ~111k base-model ESCO label views once (~6 min on one
idle core), cached under ``--cache-dir`` for later runs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

# Sentence frames seen in job ads. Knowledge labels are nouns ("Java", "accounting");
# skill/competence labels are mostly verb phrases ("manage staff").
KNOWLEDGE_FRAMES = (
    "Experience with {x}.",
    "Knowledge of {x}.",
    "Strong knowledge of {x} is required.",
    "Good understanding of {x}.",
    "Experience in {x} is a plus.",
    "Familiarity with {x}.",
    "Background in {x}.",
    "You have hands-on experience with {x}.",
    "Proficiency in {x}.",
    "{x}",
)
SKILL_FRAMES = (
    "You will {x}.",
    "Ability to {x}.",
    "You are able to {x}.",
    "Your responsibilities include to {x}.",
    "We expect you to {x}.",
    "Proven ability to {x}.",
    "You will be responsible to {x} in our team.",
    "{x}",
    "- {x}",
)
# Fixed texts whose trained-model embeddings go into the manifest, so a test can check
# that base + delta rebuilds the model that was trained.
REFERENCE_TEXTS = (
    "Experience with Java and Kotlin is a plus.",
    "You will manage a small team of warehouse operatives.",
    "Excellent communication skills in English and German.",
    "knowledge of financial accounting",
)
MULTI_FRAMES = (
    "Experience with {x}.",
    "Required skills: {x}.",
    "You have knowledge of {x}.",
    "{x}",
    "Technologies: {x}",
)


def first_sentence(text: str) -> str:
    """First sentence of an ESCO description: the part that says what the skill is."""
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), flags=re.S)
    return (match.group(1) if match else text).strip()[:300]


def build_pairs(
    args: argparse.Namespace, rng: random.Random
) -> tuple[dict[str, list[tuple[str, int]]], list]:
    """Pairs per source as (anchor text, skill index); also returns the skills table."""
    from skillgap.nlp.training.data import load_dev_queries, load_skills, load_skillspan_sentences
    from skillgap.taxonomies.model import normalise_label

    skills = load_skills(args.esco)
    preferred = skills["preferred_label"].tolist()
    alts = skills["alt_labels"].tolist()
    hidden = skills["hidden_labels"].tolist()
    types = skills["skill_type"].tolist()
    pairs: dict[str, list[tuple[str, int]]] = defaultdict(list)

    for i, (pref, alt_list, hid) in enumerate(zip(preferred, alts, hidden, strict=True)):
        for label in alt_list + hid:
            if normalise_label(label) != normalise_label(pref):
                pairs["alt"].append((label, i))
        desc = first_sentence(skills["description"].iat[i])
        if desc:
            pairs["desc"].append((desc, i))

    # Templates: generated lazily per step would be nicer, but a fixed pool seeded by
    # --seed keeps the run reproducible and cheap to inspect.
    for _ in range(args.n_template):
        k = rng.choice((1, 1, 1, 2, 3))
        idx = rng.sample(range(len(preferred)), k)
        names = [rng.choice([preferred[j]] + alts[j]) for j in idx]
        if k == 1:
            frames = KNOWLEDGE_FRAMES if types[idx[0]] == "knowledge" else SKILL_FRAMES
            text = rng.choice(frames).format(x=names[0])
        else:
            joined = ", ".join(names[:-1]) + rng.choice((" and ", ", ", " or ")) + names[-1]
            text = rng.choice(MULTI_FRAMES).format(x=joined)
        pairs["template"].append((text, idx[0]))

    if args.span_weight > 0:
        dev = load_dev_queries(args.dev)
        exclude = {normalise_label(q.sentence) for q in dev}
        sentences = [
            s
            for s in load_skillspan_sentences(args.skillspan, exclude=exclude)
            if s.split in args.skillspan_splits
        ]
        pairs["span"] = pseudo_label_spans(sentences, preferred, alts, args)
    return pairs, skills


def pseudo_label_spans(
    sentences: list, preferred: list[str], alts: list[list[str]], args
) -> list[tuple[str, int]]:
    """Label SkillSpan sentences (and their spans) with the base model's top skill.

    The base model matches a short gold span to a label much better than it matches a
    whole sentence; using that as the target teaches the encoder to find the skill inside
    the sentence. Matches under ``--span-threshold`` are dropped as too uncertain.
    """
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from skillgap.nlp.training.artifact import base_model_dir
    from skillgap.nlp.training.evaluate import encode_cached, label_views, skill_scores

    torch.set_num_threads(args.threads)
    base = base_model_dir()
    model = SentenceTransformer(str(base), device="cpu")
    key = str((base / "model.safetensors").stat().st_mtime_ns) + str(base.resolve())
    texts, owner = label_views(preferred, alts, with_alt=True)
    views = encode_cached(model, texts, key, args.cache_dir)
    spans = sorted({span for s in sentences for span in s.spans})
    span_emb = encode_cached(model, spans, key, args.cache_dir)
    best: dict[str, tuple[int, float]] = {}
    for start in range(0, len(spans), 512):
        scores = skill_scores(span_emb[start : start + 512], views, owner, len(preferred))
        top = scores.argmax(axis=1)
        for j, (skill, score) in enumerate(zip(top, scores[np.arange(len(top)), top], strict=True)):
            best[spans[start + j]] = (int(skill), float(score))
    out: list[tuple[str, int]] = []
    kept_spans = 0
    for s in sentences:
        for span in s.spans:
            skill, score = best[span]
            if score >= args.span_threshold:
                out.append((s.sentence, skill))
                out.append((span, skill))
                kept_spans += 1
    print(
        f"span pseudo-labels: {kept_spans} spans kept of {sum(len(s.spans) for s in sentences)}",
        flush=True,
    )
    return sorted(set(out))


def hard_negative_table(skills, esco: Path) -> dict[int, list[int]]:
    """For each skill, ESCO neighbours that are *not* it: siblings under the same broader
    concept and related skills. They look alike, so they make informative negatives."""
    from skillgap.nlp.training.data import load_broader, load_skill_relations

    index = {uri: i for i, uri in enumerate(skills["uri"])}
    children: dict[str, list[int]] = defaultdict(list)
    broader = load_broader(esco)
    parent_of: dict[int, list[str]] = defaultdict(list)
    for uri, parent in zip(broader["uri"], broader["broader_uri"], strict=True):
        if uri in index:
            children[parent].append(index[uri])
            parent_of[index[uri]].append(parent)
    table: dict[int, list[int]] = defaultdict(list)
    for i, parents in parent_of.items():
        for p in parents:
            table[i].extend(j for j in children[p][:200] if j != i)
    rel = load_skill_relations(esco)
    for a, b in zip(rel["skill_uri"], rel["related_uri"], strict=True):
        if a in index and b in index:
            table[index[a]].append(index[b])
            table[index[b]].append(index[a])
    return table


def sample_batches(
    pairs, weights: dict[str, float], batch_size: int, steps: int, rng: random.Random
):
    """Yield batches of (anchor, skill) with no skill twice in a batch.

    A repeated skill would be its own in-batch negative (a false negative under MNRL),
    which happens often because many alt labels share one preferred label.
    """
    sources = [s for s in weights if weights[s] > 0 and pairs.get(s)]
    probs = [weights[s] for s in sources]
    for _ in range(steps):
        batch: list[tuple[str, int]] = []
        seen: set[int] = set()
        while len(batch) < batch_size:
            source = rng.choices(sources, probs)[0]
            text, skill = rng.choice(pairs[source])
            if skill not in seen:
                seen.add(skill)
                batch.append((text, skill))
        yield batch


def train(args: argparse.Namespace) -> None:
    """Build pairs, fine-tune, evaluate on dev (pref view), optionally write the artifact."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    from skillgap.nlp.training.artifact import base_model_dir

    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    pairs, skills = build_pairs(args, rng)
    preferred = skills["preferred_label"].tolist()
    print(
        {k: len(v) for k, v in pairs.items()},
        f"pairs built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    negatives = hard_negative_table(skills, args.esco) if args.hard_negatives else {}

    model = SentenceTransformer(str(base_model_dir()), device="cpu")
    # Short inputs make training affordable on a CPU; inference keeps the base's limit
    # (the packaged model is rebuilt with the base config), so eval restores it below.
    inference_max_len = model.max_seq_length
    model.max_seq_length = args.max_seq_length
    bert = model[0].auto_model
    for param in bert.embeddings.parameters():
        param.requires_grad = False
    for param in bert.pooler.parameters() if bert.pooler is not None else []:
        param.requires_grad = False
    if args.freeze_layers:
        for layer in bert.encoder.layer[: args.freeze_layers]:
            for param in layer.parameters():
                param.requires_grad = False
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(f"trainable parameters: {sum(p.numel() for p in trainable):,}", flush=True)

    loss_fn = MultipleNegativesRankingLoss(model, scale=args.scale)
    optimiser = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.1 * args.steps), args.steps)
    weights = {"alt": args.alt_weight, "desc": args.desc_weight, "template": args.template_weight}
    weights["span"] = args.span_weight
    model.train()
    train_started = time.perf_counter()
    running = 0.0
    for step, batch in enumerate(
        sample_batches(pairs, weights, args.batch_size, args.steps, rng), 1
    ):
        anchors = [text for text, _ in batch]
        positives = [preferred[skill] for _, skill in batch]
        columns = [anchors, positives]
        if negatives:
            in_batch = {skill for _, skill in batch}
            hard = []
            for _, skill in batch:
                options = [j for j in negatives.get(skill, []) if j not in in_batch]
                hard.append(
                    preferred[rng.choice(options)]
                    if options
                    else preferred[rng.randrange(len(preferred))]
                )
            columns.append(hard)
        features = [{k: v for k, v in model.preprocess(col).items()} for col in columns]
        loss = loss_fn(features, torch.empty(0))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimiser.step()
        schedule.step()
        running += loss.item()
        if step % args.log_every == 0:
            rate = (time.perf_counter() - train_started) / step
            print(
                f"step {step}/{args.steps} loss {running / args.log_every:.3f} ({rate:.2f} s/step)",
                flush=True,
            )
            running = 0.0
    model.eval()
    model.max_seq_length = inference_max_len
    train_seconds = time.perf_counter() - train_started
    print(f"training: {train_seconds:.0f} s for {args.steps} steps", flush=True)

    metrics = evaluate_pref(model, args) if args.eval else {}
    if args.out:
        model.save(str(args.out))
    wall = time.perf_counter() - started
    print(f"wall time: {wall:.0f} s ({wall / 60:.1f} min)", flush=True)
    if args.write_artifact:
        from skillgap.nlp.training.artifact import write_artifact

        manifest = {
            "command": "HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_encoder.py "
            + " ".join(sys.argv[1:]),
            "args": {k: str(v) for k, v in vars(args).items()},
            "data": {
                "esco": "ESCO v1.1.1 official en bundle: skills"
                + (
                    ", broader + skill-skill relations (hard negatives)"
                    if args.hard_negatives
                    else ""
                ),
                "skillspan": f"SkillSpan {args.skillspan_splits}, dev sentences excluded",
                "pairs": {k: len(v) for k, v in pairs.items()},
            },
            "dev_metrics_pref_view": metrics,
            "train_seconds": round(train_seconds),
            "wall_seconds": round(wall),
            "torch_threads": args.threads,
        }
        reference = model.encode(list(REFERENCE_TEXTS), normalize_embeddings=True)
        manifest["reference_embeddings"] = {
            "texts": list(REFERENCE_TEXTS),
            "embeddings": [[round(float(x), 6) for x in row] for row in reference],
        }
        path = write_artifact(bert.state_dict(), manifest)
        size = sum(f.stat().st_size for f in path.iterdir())
        print(f"artifact written to {path} ({size / 1e6:.1f} MB)", flush=True)
        verify_rebuild(reference)


def verify_rebuild(reference) -> None:
    """Rebuild the model from base + committed delta and check it embeds like the trained
    model did (int8 error only); refuse to leave a broken artifact unnoticed."""
    import tempfile

    from sentence_transformers import SentenceTransformer

    from skillgap.nlp.training.artifact import build_model_dir

    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        rebuilt = SentenceTransformer(str(build_model_dir(Path(tmp) / "m")), device="cpu")
        emb = rebuilt.encode(list(REFERENCE_TEXTS), normalize_embeddings=True)
    cos = (emb * reference).sum(axis=1)
    print(f"rebuilt-vs-trained cosine: min {cos.min():.5f}", flush=True)
    if cos.min() < 0.999:
        raise SystemExit("rebuilt model differs from the trained one beyond int8 error")


def evaluate_pref(model, args: argparse.Namespace) -> dict:
    """Dev figures on the preferred-label view, printed as the benchmark's table."""
    from skillgap.nlp.training.data import load_dev_queries, load_skills
    from skillgap.nlp.training.evaluate import format_table, retrieval_metrics

    skills = load_skills(args.esco)
    preferred = skills["preferred_label"].tolist()
    queries = load_dev_queries(args.dev)
    q = model.encode([x.sentence for x in queries], normalize_embeddings=True, batch_size=64)
    v = model.encode(preferred, normalize_embeddings=True, batch_size=256)
    metrics = retrieval_metrics(q @ v.T, queries, preferred)
    print(format_table({"fine-tuned [pref]": metrics}), flush=True)
    return metrics


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; defaults are the configuration of the committed artifact."""
    shared = REPO_ROOT.parent / "shared"
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--esco", type=Path, default=shared / "esco" / "v1.1.1")
    p.add_argument(
        "--skillspan",
        type=Path,
        default=shared / "data/vacancies/skillspan/skillspan_postings_train_dev.jsonl",
    )
    p.add_argument("--dev", type=Path, default=shared / "eval" / "skillmap-dev")
    p.add_argument("--skillspan-splits", default="train,dev", type=lambda s: tuple(s.split(",")))
    p.add_argument("--cache-dir", type=Path, default=Path("/tmp/encoder-work/emb"))
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--batch-size", type=int, default=48)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--scale", type=float, default=20.0)
    p.add_argument("--max-seq-length", type=int, default=32)
    p.add_argument("--freeze-layers", type=int, default=3, help="also freeze the first N layers")
    p.add_argument("--alt-weight", type=float, default=0.35)
    p.add_argument("--desc-weight", type=float, default=0.1)
    p.add_argument("--template-weight", type=float, default=0.25)
    p.add_argument("--span-weight", type=float, default=0.3)
    p.add_argument("--span-threshold", type=float, default=0.6)
    p.add_argument("--n-template", type=int, default=60000)
    p.add_argument("--hard-negatives", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--no-eval", dest="eval", action="store_false")
    p.add_argument("--out", type=Path, default=None, help="also save the full model dir here")
    p.add_argument("--write-artifact", action="store_true", help="write nlp/artifacts/encoder")
    return p.parse_args(argv)


if __name__ == "__main__":
    train(parse_args())
