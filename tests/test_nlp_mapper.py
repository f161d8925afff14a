"""The mapper on a real ESCO subset with the real bundled encoder (see test_nlp_fixtures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skillgap.errors import ConfigError, InputError
from tests import test_nlp_fixtures as _fx

# Session fixtures shared with the CLI tests (one small index build per session).
nlp_data_dir = _fx.nlp_data_dir
small_taxonomy = _fx.small_taxonomy
small_mapper = _fx.small_mapper


def _labels(hits) -> list[str]:
    return [h.label for h in hits]


def test_rank_finds_named_skills_lexically(small_mapper) -> None:
    (hits,) = small_mapper.rank(["Strong Python and SQL skills required"], top_k=5)
    labels = _labels(hits)
    assert "Python (computer programming)" in labels[:3]
    assert "SQL" in labels[:3]
    py = hits[labels.index("Python (computer programming)")]
    assert py.method in ("lexical", "both")
    assert py.evidence == "Python (computer programming)"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_lexical_match_is_token_exact(small_mapper) -> None:
    lex = small_mapper.index.lexical_matches("We use JavaScript daily")
    labels = {small_mapper.index.labels[i] for i in lex}
    assert "JavaScript" in labels
    assert "Java (computer programming)" not in labels
    # plural / case normalisation, and the case-sensitive path for one-letter labels
    lex = small_mapper.index.lexical_matches("Statistics in R; CUSTOMER SERVICES")
    labels = {small_mapper.index.labels[i] for i in lex}
    assert {"R", "customer service"} <= labels
    assert not small_mapper.index.lexical_matches("a r c")


def test_semantic_path_without_shared_words(small_mapper) -> None:
    (hits,) = small_mapper.rank(
        ["Able to give emergency help to someone injured at work until the ambulance arrives"],
        top_k=5,
    )
    assert "provide first aid" in _labels(hits)
    hit = hits[_labels(hits).index("provide first aid")]
    assert hit.method == "semantic" and hit.evidence


def test_clause_level_candidates_help_lists(small_mapper) -> None:
    text = "Good communication, budget management, teamwork"
    (hits,) = small_mapper.rank([text], top_k=6)
    assert {"communication", "manage budgets", "work in teams"} <= set(_labels(hits))


def test_extract_is_thresholded_and_skips_boilerplate(small_mapper) -> None:
    # A posting as ads come (title, duties, benefits): the requirement detector reads a
    # sentence with its neighbours, so a two-line fragment is not what it is calibrated on.
    docs = [
        "Lifeguard\n"
        "You will provide first aid to injured visitors and keep the pool safe.\n"
        "You will work with the duty manager.\n"
        "We offer a competitive salary and pension.",
        "We are an equal opportunities employer. Apply now!",
    ]
    first, second = small_mapper.extract(docs)
    assert "provide first aid" in _labels(first)
    assert all(h.score >= small_mapper.fusion.threshold for h in first)
    assert "negotiate salaries" not in _labels(first)
    assert second == []


def test_mentions_contract(small_mapper) -> None:
    from skillgap.schemas import columns

    texts = ["Python and SQL developer.\nPython scripting daily.", ""]
    df = small_mapper.mentions(["a", "b"], texts, "vacancy")
    assert list(df.columns) == columns("skill_mentions")
    assert set(df["doc_id"]) == {"a"}
    assert not df.duplicated(["doc_id", "skill_uri"]).any()
    assert set(df["model_id"]) == {small_mapper.model_id}
    with pytest.raises(InputError):
        small_mapper.mentions(["a"], texts, "vacancy")
    with pytest.raises(InputError):
        small_mapper.mentions(["a", "b"], texts, "advert")


@pytest.mark.parametrize(
    "bad",
    ["", "   \n\t", "12345 !!!", None],
)
def test_bad_input_gives_empty_result_with_reason(small_mapper, bad) -> None:
    assert small_mapper.problem(bad)
    assert small_mapper.rank([bad, "Java"], top_k=3)[0] == []
    assert small_mapper.extract([bad]) == [[]]


def test_other_language_is_refused_with_reason(small_mapper) -> None:
    text = (
        "Wir suchen eine Pflegefachkraft mit Erfahrung in der Medikamentengabe und Wundversorgung."
    )
    reason = small_mapper.problem(text)
    assert reason and "'de'" in reason
    assert small_mapper.rank([text])[0] == []


def test_huge_and_html_and_bytes_input(small_mapper) -> None:
    huge = ("Maintain customer records in spreadsheets. " * 30_000)[:1_000_000]
    (hits,) = small_mapper.rank([huge], top_k=3)
    assert hits and hits[0].score > 0
    (hits,) = small_mapper.rank(["<ul><li>Java</li><li>SQL</li></ul>"], top_k=3)
    assert {"Java (computer programming)", "SQL"} <= set(_labels(hits))
    assert small_mapper.problem(b"Java \xff developer") is None


def test_index_cache_is_reused_and_keyed_by_model(small_mapper, small_taxonomy, nlp_data_dir):
    from skillgap.config import Settings
    from skillgap.nlp.index import cache_path, load_index, taxonomy_key

    path = cache_path(
        Settings(data_dir=nlp_data_dir).cache_dir,
        taxonomy_key(small_taxonomy),
        small_mapper.model_id,
    )
    assert (path / "meta.json").is_file()
    again = load_index(path)
    assert again is not None
    np.testing.assert_array_equal(again.label_emb, small_mapper.index.label_emb)
    assert again.uris == small_mapper.index.uris
    other = cache_path(path.parent.parent, taxonomy_key(small_taxonomy), "other-model@123")
    assert other != path
    # a corrupt cache is treated as absent (rebuilt), never trusted
    broken = path.parent / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "meta.json").write_text("{not json")
    assert load_index(broken) is None


def test_model_id_follows_weights(tmp_path: Path) -> None:
    from skillgap.nlp.embed import model_id, resolve_model_path

    d = tmp_path / "enc"
    d.mkdir()
    (d / "modules.json").write_text("[]")
    (d / "model.safetensors").write_bytes(b"a" * 100)
    first = model_id(d)
    (d / "model.safetensors").write_bytes(b"b" * 100)
    assert model_id(d) != first
    assert resolve_model_path(model_path=d) == d
    with pytest.raises(ConfigError):
        resolve_model_path(model_path=tmp_path / "nope")


def test_tfidf_best_matches_a_plain_scipy_product(small_mapper) -> None:
    """The in-place csr_matvec walk equals max-over-labels of the ordinary sparse product,
    for shortlists in any order (unsorted argpartition output included)."""
    idx = small_mapper.index
    q = small_mapper._tfidf_units(["Experience with Python and SQL databases", "teamwork", "."])
    rng = np.random.default_rng(7)
    sql = idx.labels.index("SQL")
    skills = rng.permutation(idx.size)[: max(2, idx.size // 3)]
    skills = np.concatenate([skills[skills != sql], [sql]])
    got = idx.tfidf_best(q, [0, 1, 2], skills)
    full = (q @ idx.tfidf_labels.T).toarray()
    want = np.stack(
        [[full[u, idx.tfidf_rows(np.array([k]))[0]].max() for k in skills] for u in range(3)]
    )
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert got[0, -1] > 0.3 and not got[2].any()  # "." has no n-grams: all zero
    buf = idx.tfidf_buffer()
    idx.tfidf_best(q, [0, 1], skills, buf)
    assert not buf.any()  # the shared buffer is left clean


def test_tfidf_best_public_fallback_gives_the_same_scores(small_mapper, monkeypatch) -> None:
    """Without scipy's private kernel (absent or changed) the public product is used."""
    from skillgap.nlp import index as index_mod

    idx = small_mapper.index
    assert index_mod._private_csr_matvec() is not None  # this scipy: the fast path
    q = small_mapper._tfidf_units(["Experience with Python and SQL databases", "teamwork", "."])
    skills = np.random.default_rng(3).permutation(idx.size)[: max(2, idx.size // 2)]
    fast = idx.tfidf_best(q, [0, 1, 2], skills)
    monkeypatch.setattr(index_mod, "_KERNEL", [None])
    public = idx.tfidf_best(q, [0, 1, 2], skills)
    np.testing.assert_allclose(public, fast, atol=1e-6)
    assert public.dtype == np.float32 and public[0].max() > 0.3


def test_index_cache_refuses_altered_or_foreign_pickles(small_mapper, small_taxonomy, nlp_data_dir):
    import json
    import shutil

    from skillgap.config import Settings
    from skillgap.nlp.index import cache_path, load_index, taxonomy_key

    path = cache_path(
        Settings(data_dir=nlp_data_dir).cache_dir,
        taxonomy_key(small_taxonomy),
        small_mapper.model_id,
    )
    assert load_index(path) is not None
    other = path.parent / "foreign"
    shutil.copytree(path, other, dirs_exist_ok=True)
    meta = json.loads((other / "meta.json").read_text())
    meta["pickled_with"]["scikit-learn"] = "0.0.1"  # written under another sklearn
    (other / "meta.json").write_text(json.dumps(meta))
    assert load_index(other) is None
    shutil.copytree(path, other, dirs_exist_ok=True)
    with open(other / "objects.pkl", "ab") as fh:  # altered after it was written
        fh.write(b"x")
    assert load_index(other) is None


def test_semantic_rows_are_preferred_labels_and_tfidf_rows_all_labels(small_mapper) -> None:
    idx = small_mapper.index
    assert len(idx.label_offsets) == len(idx.tfidf_offsets) == idx.size + 1
    assert np.all(np.diff(idx.label_offsets) >= 1) and np.all(np.diff(idx.tfidf_offsets) >= 1)
    assert len(idx.tfidf_texts) > len(idx.label_texts)
    k = idx.labels.index("work in teams")
    sem_rows = idx.label_texts[idx.label_offsets[k] : idx.label_offsets[k + 1]]
    tfidf_rows = idx.tfidf_texts[idx.tfidf_offsets[k] : idx.tfidf_offsets[k + 1]]
    assert sem_rows == ["work in teams"]
    assert "teamwork" in tfidf_rows or len(tfidf_rows) > 1


def test_two_stage_scores_equal_exact_on_the_shortlist(small_mapper) -> None:
    texts = ["Strong Python and SQL skills required", "Give first aid. Manage budgets well."]
    fast = small_mapper.score_matrix(texts)
    exact = small_mapper.score_matrix(texts, exact=True)
    for q in range(len(texts)):
        top = np.argsort(-fast[q])[:5]
        np.testing.assert_allclose(fast[q, top], exact[q, top], atol=1e-4)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_encoder_precision_setting(precision: str) -> None:
    from skillgap.nlp.embed import encode, load_encoder, resolve_model_path, use_bf16

    path = str(resolve_model_path())
    model = load_encoder(path, precision)
    assert model.skillgap_bf16 is (precision == "bf16") is use_bf16(precision)
    ref = encode(load_encoder(path, "fp32"), ["manage budgets", "Python programming"])
    got = encode(model, ["manage budgets", "Python programming"])
    assert got.dtype == np.float32
    assert np.min(np.sum(got * ref, axis=1)) > 0.999  # bf16 arithmetic, same embedding


def test_lean_bert_path_gives_sentence_transformers_vectors() -> None:
    from skillgap.nlp import bert
    from skillgap.nlp.embed import _load_encoder, encode, resolve_model_path

    path = str(resolve_model_path())
    assert bert.supports(Path(path))
    lean = _load_encoder(path, False, True)
    reference = _load_encoder(path, False, False)
    assert isinstance(lean, bert.LeanBertEncoder)
    assert not isinstance(reference, bert.LeanBertEncoder)
    texts = ["manage budgets", "", "Python " * 400, "Erfahrung mit Datenbanken", "SQL"]
    got, want = encode(lean, texts), encode(reference, texts)
    assert got.shape == want.shape == (len(texts), 384)
    assert np.min(np.sum(got * want, axis=1)) > 0.99999  # truncation, padding, pooling agree


def test_lean_bert_path_refuses_other_model_shapes(tmp_path: Path) -> None:
    import json
    import shutil

    from skillgap.nlp import bert
    from skillgap.nlp.embed import resolve_model_path

    src = resolve_model_path()
    dst = tmp_path / "m"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("model.safetensors"))
    assert not bert.supports(dst)  # no safetensors weights
    (dst / "model.safetensors").symlink_to(src / "model.safetensors")
    assert bert.supports(dst)
    pooling = json.loads((dst / "1_Pooling/config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (dst / "1_Pooling/config.json").write_text(json.dumps(pooling))
    assert not bert.supports(dst)  # CLS pooling goes through sentence-transformers
    assert not bert.supports(tmp_path / "absent")


def test_alt_label_colliding_with_a_preferred_label_loses_the_lexical_match() -> None:
    from skillgap.nlp.index import _build_lexicon

    prefs = ["work in teams", "work in textile manufacturing teams", "use spreadsheets", "x"]
    alts = [[], ["work in team"], ["spreadsheet software"], ["spreadsheet software"]]
    lex, _ = _build_lexicon(prefs, alts, [[] for _ in prefs])
    assert lex[("work", "in", "team")] == [(0, "work in teams", True)]
    # an alternative label that is no skill's preferred label stays shared
    assert {i for i, _, _ in lex[("spreadsheet", "software")]} == {2, 3}


def test_unit_blocks_bound_the_view_matrices() -> None:
    from skillgap.nlp.mapper import _unit_blocks

    assert _unit_blocks([[0, 1], [2], [3, 4, 5], [6] * 9, [7]], 3) == [[0, 1], [2], [3], [4]]
    assert _unit_blocks([], 3) == []
    blocks = _unit_blocks([[i] for i in range(10)], 4)
    assert [q for b in blocks for q in b] == list(range(10)) and max(map(len, blocks)) == 4


def test_lexicon_keeps_the_matched_label_and_its_strength() -> None:
    from skillgap.nlp.index import _build_lexicon

    prefs = ["Python (computer programming)", "provide first aid", "statistics", "R", "x y"]
    alts = [["Python3"], ["give first aid"], ["data"], [], ["HR"]]
    hidden = [[], [], [], [], ["people management"]]
    lex, lex_cs = _build_lexicon(prefs, alts, hidden)
    # the preferred label and its qualifier-stripped form: strong, evidence = preferred
    assert lex[("python",)] == [(0, "Python (computer programming)", True)]
    assert lex[("python3",)] == [(0, "Python3", False)]  # one-word alternative: weak
    assert lex[("give", "first", "aid")] == [(1, "give first aid", True)]  # multi-word alt
    assert lex[("data",)] == [(2, "data", False)]
    assert lex[("people", "management")] == [(4, "people management", False)]  # hidden
    # case-sensitive short labels are strong whatever their kind, and keep their own text
    assert lex_cs["R"] == [(3, "R", True)] and lex_cs["HR"] == [(4, "HR", True)]


def test_lexical_match_prefers_a_strong_label_and_reports_it(small_mapper) -> None:
    from skillgap.nlp.index import LexicalHit

    idx = small_mapper.index
    aid = idx.labels.index("provide first aid")
    py = idx.labels.index("Python (computer programming)")
    lex = idx.lexical_matches("You give first aid and script in Python3")
    assert lex[aid] == LexicalHit("give first aid", True)
    assert lex[py] == LexicalHit("Python3", False)
    # a weak and a strong label of one skill in one text: the strong one is kept
    assert idx.lexical_matches("Python3 and Python")[py] == LexicalHit(
        "Python (computer programming)", True
    )


def test_hit_evidence_is_the_alternative_label_that_occurs(small_mapper) -> None:
    (hits,) = small_mapper.rank(["Able to give first aid to injured visitors"], top_k=3)
    aid = next(h for h in hits if h.label == "provide first aid")
    assert aid.method in ("lexical", "both")
    assert aid.evidence == "give first aid"


def test_weak_labels_have_their_own_feature(small_mapper) -> None:
    from skillgap.nlp.fusion import FEATURES

    idx = small_mapper.index
    py = idx.labels.index("Python (computer programming)")
    lex_col, weak_col = FEATURES.index("lexical"), FEATURES.index("lexical_weak")
    strong, weak = small_mapper.features(["Python scripting", "Python3 scripting"])[:, py]
    assert (strong[lex_col], strong[weak_col]) == (1.0, 0.0)
    assert (weak[lex_col], weak[weak_col]) == (0.0, 1.0)


def test_clause_rule_keeps_the_best_skill_of_each_part(small_mapper) -> None:
    """With the threshold at 0 and room for four skills, the rule alone decides: one skill
    per clause (or named by a strong label), not the ESCO neighbours of the best one."""
    from dataclasses import replace

    text = "Budget management, first aid for injured visitors"
    saved = small_mapper.fusion
    try:
        small_mapper.fusion = replace(saved, threshold=0.0, max_per_sentence=4, clause_best=False)
        (plain,) = small_mapper.extract_sentences([text])
        small_mapper.fusion = replace(small_mapper.fusion, clause_best=True)
        (ruled,) = small_mapper.extract_sentences([text])
        sc = small_mapper._score([text], "en")
    finally:
        small_mapper.fusion = saved
    assert len(plain) == 4
    assert {"manage budgets", "provide first aid"} <= set(_labels(ruled))
    assert len(ruled) < len(plain)
    best = {small_mapper.index.uris[k] for k in sc.clause_best[0]}
    named = {small_mapper.index.uris[k] for k, h in sc.lexical[0].items() if h.strong}
    assert {h.uri for h in ruled} <= best | named


def test_clause_best_is_the_argmax_of_each_part() -> None:
    from skillgap.nlp.fusion import Fusion
    from skillgap.nlp.mapper import _best_of_parts

    fusion = Fusion(weights={"sem_whole": 1.0, "sem_part": 1.0, "tfidf_part": 2.0})
    np.testing.assert_array_equal(fusion.unit_weights(), [2.0, 0.0, 2.0])
    sem = np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.3]], dtype=np.float32)
    tfidf = np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.0]], dtype=np.float32)
    skills = np.array([10, 20, 30])
    got = _best_of_parts(fusion, sem, np.zeros_like(sem), tfidf, skills)
    np.testing.assert_array_equal(got, [10, 20])  # part 2: 0.2*2 + 0.5*2 beats 0.3*2


def test_fusion_entry_reads_the_rule_and_defaults_missing_weights(tmp_path: Path) -> None:
    import json

    from skillgap.nlp.fusion import FEATURES, load_fusion

    entry = {"weights": {"sem_whole": 2.0}, "bias": -3.0, "clause_best": True}
    path = tmp_path / "fusion.json"
    path.write_text(json.dumps({"models": {"m": entry}}))
    fusion = load_fusion("m@1", path)
    assert fusion.clause_best and fusion.max_per_sentence == 4
    assert fusion.vector()[FEATURES.index("lexical_weak")] == 0.0
    assert not load_fusion("other@1", tmp_path / "absent.json").clause_best
