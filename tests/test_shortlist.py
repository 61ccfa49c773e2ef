"""The vocabulary shortlist: alignment, CTranslate2's map format, built and used by the
tool on the toy model."""

from __future__ import annotations

import json
import shutil
import statistics

import pytest
from click.testing import CliRunner

from translate_news import Translator
from translate_news.cli import app
from translate_news.core.errors import TranslateNewsError, UsageError
from translate_news.pipeline.vocabulary import model_pairs
from translate_news.seq2seq.shortlist import VocabularyMap, align, build, save

from .conftest import make_test_models

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_ibm_model_1_learns_which_word_translates_which():
    pairs = [
        ("la maison".split(), "the house".split()),
        ("la fleur".split(), "the flower".split()),
        ("maison bleue".split(), "blue house".split()),
        ("fleur bleue".split(), "blue flower".split()),
        ("la maison bleue".split(), "the blue house".split()),
    ]
    table = align(pairs, iterations=10)
    for french, english in [("la", "the"), ("maison", "house"), ("fleur", "flower")]:
        assert max(table[french], key=table[french].get) == english
    assert table["bleue"]["blue"] > 0.5


def test_the_map_is_in_ctranslate2s_format():
    vmap = VocabularyMap(always=("▁the", "."), candidates={"▁maison": ("▁house", "▁home")})
    lines = vmap.text().splitlines()
    assert lines[0] == "\t▁the ."  # the empty source: always allowed
    assert lines[1] == "▁maison\t▁house ▁home"
    assert vmap.allowed(["▁maison", "▁inconnu"]) == {"▁the", ".", "▁house", "▁home"}


def test_build_keeps_the_most_frequent_and_the_top_k_per_source():
    pairs = [(["▁a", "▁b"], ["▁x", "▁y"]), (["▁a"], ["▁x"]), (["▁c"], ["▁z", "▁x"])]
    vmap = build(pairs, common=1, per_source=1)
    assert vmap.always == ("▁x",)
    assert vmap.candidates["▁a"] == ("▁x",)
    assert vmap.candidates["▁c"] in {("▁x",), ("▁z",)}
    assert set(vmap.candidates) == {"▁a", "▁b", "▁c"}


@pytest.fixture
def own_toy(toy_model, tmp_path):
    """A copy of the toy model (with its conversion) whose shortlist this test owns."""
    copy = tmp_path / "marian-toy"
    shutil.copytree(toy_model, copy)
    return copy


def _halves() -> tuple[list[str], list[str]]:
    french = [fr for fr, _ in make_test_models.toy_corpus()]
    return french[: len(french) // 2], french[len(french) // 2 :]


def test_a_shortlist_from_one_half_translates_the_other_half_identically(own_toy):
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    pairs = model_pairs(full, first)
    vmap = build(pairs, common=10, per_source=10)
    save(vmap, full.model.folder, full.model.fingerprint)
    short = Translator(
        str(own_toy), backend="ctranslate2", device="cpu", memory=False, shortlist=True
    )
    assert short.translate(second) == full.translate(second)
    # ... while a sentence is allowed well under half of the 103 English tokens:
    sources = [short.model.tokens(ids) for ids in short.model.encode(second)]
    assert statistics.mean(len(vmap.allowed(s)) for s in sources) < 103 / 2
    assert short.signature.shortlist
    assert f"|shortlist={short.signature.shortlist},guarded|" in str(short.signature)


def test_a_shortlist_too_small_is_caught_by_the_guard(own_toy):
    """The map is really used: with one candidate per source token, the toy model's
    shortlisted search cannot write what it wrote before. The guard sees it, redoes
    those sentences with the full vocabulary, and every translation is the full one."""
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    vmap = build(model_pairs(full, first), common=0, per_source=1)
    save(vmap, full.model.folder, full.model.fingerprint)
    short = Translator(
        str(own_toy), backend="ctranslate2", device="cpu", memory=False, shortlist=True
    )
    inputs = full.model.encode(second)
    assert short.model.generate(inputs, 40) != full.model.generate(inputs, 40)  # unguarded
    found = short.translate_checked(second)
    assert [c.text for c in found] == full.translate(second)
    redone = sum(c.shortlist.status == "redone" for c in found if c.shortlist)
    assert redone > len(second) / 2, redone
    assert all(c.shortlist.mass <= 1 for c in found if c.shortlist)


def test_shortlist_without_one_built_says_how_to_build_it(own_toy):
    with pytest.raises(TranslateNewsError, match="translate-news models shortlist"):
        Translator(str(own_toy), backend="ctranslate2", device="cpu", shortlist=True)


def test_shortlist_is_refused_with_the_torch_backend(own_toy):
    with pytest.raises(UsageError, match="CTranslate2"):
        Translator(str(own_toy), backend="torch", shortlist=True)


def test_the_commands_build_use_and_measure_a_shortlist(own_toy, tmp_path):
    first, second = _halves()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for start in range(0, len(first), 50):  # articles of 50 sentences
        (corpus / f"{start:03}.txt").write_text("\n\n".join(first[start : start + 50]) + "\n")
    held_out = tmp_path / "held-out.fr"
    held_out.write_text("\n".join(second) + "\n")

    missing = cli("translate", "--text", second[0], "-m", own_toy, "--shortlist")
    assert missing.exit_code != 0
    assert "models shortlist" in missing.stderr and "Traceback" not in missing.output

    built = cli(
        "models", "shortlist", own_toy, "--corpus", corpus, "--common", 10, "--per-source", 10
    )
    assert built.exit_code == 0, built.output
    assert "shortlist of" in built.stderr and "now use it, guarded" in built.stderr

    measured = cli("evaluate", "agreement", "--source", held_out, "-m", own_toy, "--json")
    assert measured.exit_code == 0, measured.output
    report = json.loads(measured.stdout)
    assert report["sentences"] == len(second)
    assert report["identical"] == len(second) and report["differences"] == []
    # A good map: the guard redoes a few (2 of 304 measured), never all.
    assert report["redone"] < len(second) / 20
    assert report["redo_share"] == round(report["redone"] / len(second), 4)

    used = cli("translate", "--text", second[0], "-m", own_toy, "--shortlist", "-v")
    assert used.exit_code == 0, used.output
    assert "|shortlist=" in used.stderr

    # Once built it is the default, guarded; --no-shortlist turns it off.
    default = cli("translate", "--text", second[0], "-m", own_toy, "-f", "json", "-v")
    assert default.exit_code == 0, default.output
    assert ",guarded|" in default.stderr
    [sentence] = json.loads(default.stdout)["paragraphs"][0]["sentences"]
    assert sentence["shortlist"]["status"] == "verified"
    off = cli("translate", "--text", second[0], "-m", own_toy, "-f", "json", "--no-shortlist")
    assert off.exit_code == 0, off.output
    assert json.loads(off.stdout)["paragraphs"][0]["sentences"][0]["shortlist"] is None
    assert "|shortlist=" not in json.loads(off.stdout)["signature"]


def test_a_shortlist_from_an_existing_translation(own_toy, tmp_path):
    pairs = make_test_models.toy_corpus()[:200]
    (tmp_path / "train.fr").write_text("\n".join(fr for fr, _ in pairs) + "\n")
    (tmp_path / "train.en").write_text("\n".join(en for _, en in pairs) + "\n")
    french = tmp_path / "train.fr"
    built = cli(
        "models", "shortlist", own_toy, "--corpus", french, "--english", french.with_suffix(".en")
    )
    assert built.exit_code == 0, built.output
    assert "aligning 200 sentence pairs" in built.stderr
    (tmp_path / "short.en").write_text("one line\n")
    uneven = cli(
        "models", "shortlist", own_toy, "--corpus", french, "--english", tmp_path / "short.en"
    )
    assert uneven.exit_code == 2 and "200 French lines but 1 English" in uneven.stderr


def test_agreement_needs_source(own_toy, tmp_path):
    result = cli("evaluate", "agreement", "-m", own_toy)
    assert result.exit_code == 2 and "Missing option '--source'" in result.stderr


def test_the_old_evaluate_spelling_is_refused_in_one_line(tmp_path):
    """evaluate is subcommands now: the old flags say which command to use."""
    result = cli("evaluate", "--source", tmp_path / "x.fr")
    assert result.exit_code == 2 and "No such option" in result.stderr
    assert "--source" in result.stderr


def test_with_a_shortlist_the_confidence_is_over_the_full_vocabulary(own_toy):
    """The shortlist narrows the search, not the scores: a shortlisted translation's
    confidence is what the full model gives that same output (here a shortlist so small
    that the translations change, and the model is unsure of them)."""
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    save(build(model_pairs(full, first), common=5, per_source=2), full.model.folder,
         full.model.fingerprint)  # fmt: skip
    short = Translator(
        str(own_toy), backend="ctranslate2", device="cpu", memory=False, shortlist=True
    )
    sentences = second[:40]
    found = short.translate_checked(sentences)
    inputs = full.model.encode(sentences)
    outputs, _, checks = short.model.generate_scored(inputs, short.output_cap)
    assert any(c.status == "verified" for c in checks)  # kept from the shortlisted search
    compared = 0
    for checked, output, row in zip(found, outputs, full.model.score(inputs, outputs)):
        if checked.text != short.model.decode([output])[0]:
            continue  # translated again by the loop guard: another output
        compared += 1
        expected = full.model.words(output, row)
        assert [w for w, _ in checked.confidence.words] == [w for w, _ in expected]
        for (_, got), (_, want) in zip(checked.confidence.words, expected):
            assert got == pytest.approx(want, abs=1e-5)
    assert compared >= 10


def test_the_guard_s_mass_is_bounded_by_the_full_softmax(own_toy):
    """The arithmetic, against transformers: for each sentence (alone in its batch, so
    the shortlist is its own), the full softmax's mass on the shortlist at each step of
    the shortlisted translation is at least the guard's bound, and their product is the
    bound itself (the totals differ by exactly the sum of the logs of the masses)."""
    import torch
    from transformers import MarianMTModel

    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    vmap = build(model_pairs(full, first), common=10, per_source=10)
    save(vmap, full.model.folder, full.model.fingerprint)
    short = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False,
                       shortlist=True, compute_type="float32")  # fmt: skip
    model = short.model
    reference = MarianMTModel.from_pretrained(str(own_toy)).eval()
    start = reference.config.decoder_start_token_id
    checked = 0
    for sentence in second[:40]:
        [ids] = model.encode([sentence])
        outputs, _, [check] = model.generate_scored([ids], 40)
        if check.status == "redone":
            continue  # its output is the full vocabulary's: nothing to compare
        # CTranslate2 allows the end of sequence and the unknown token besides the map.
        allowed = model.tokenizer.convert_tokens_to_ids(sorted(vmap.allowed(model.tokens(ids))))
        allowed += [model.tokenizer.eos_token_id, model.tokenizer.unk_token_id]
        with torch.inference_mode():
            logits = reference(
                input_ids=torch.tensor([ids]),
                decoder_input_ids=torch.tensor([[start, *outputs[0][:-1]]]),
            ).logits[0]
        masses = torch.softmax(logits.float(), dim=-1)[:, allowed].sum(dim=-1)
        assert float(masses.min()) >= check.mass - 1e-4
        assert float(masses.prod()) == pytest.approx(check.mass, abs=1e-3)
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("common, per_source", [(100, 20), (10, 2), (0, 1)])
def test_with_the_guard_the_numbers_model_writes_the_full_vocabulary_s_translations(
    numbers_model, tmp_path, common, per_source
):
    """Every held-out sentence, as users run it (memory on): the guarded shortlist's
    English is the full vocabulary's, whatever the shortlist; the smaller it is, the more
    is redone."""
    copy = tmp_path / "marian-numbers"
    shutil.copytree(numbers_model, copy)
    french = [fr for fr, _ in make_test_models.numbers_corpus(600, seed=99)]
    learn, held = french[:300], french[300:]
    full = Translator(str(copy), backend="ctranslate2", device="cpu", memory=False)
    save(build(model_pairs(full, learn), common=common, per_source=per_source),
         full.model.folder, full.model.fingerprint)  # fmt: skip
    short = Translator(str(copy), backend="ctranslate2", device="cpu", shortlist=True)
    found = short.translate_checked(held)
    assert [c.text for c in found] == full.translate(held)
    window = short.model.guard.window  # 256: checked in parts of this many
    first, rest = found[:window], found[window:]
    redone = sum(c.shortlist is not None and c.shortlist.status == "redone" for c in first)
    assert all(c.shortlist is not None for c in first)  # every sentence says which
    # The default map here is larger than the model's English: only the sentences the
    # number check had decoded again (over the full vocabulary) count as redone. The
    # too-small map redoes most: how many depends on the trained weights, whose float
    # rounding differs between machines (228 of 300 on one build, 193 on another).
    assert {(100, 20): redone < 70, (10, 2): redone > 120, (0, 1): redone == window}[
        (common, per_source)
    ], redone
    # Past the break-even (a quarter redone) the rest is translated without the
    # shortlist, which would only cost more; a good map keeps it.
    if redone > window / 4:
        assert all(c.shortlist is None for c in rest)
    else:
        assert all(c.shortlist is not None for c in rest)


def test_greedy_search_is_checked_exactly(own_toy):
    """At beam 1 the check is the exact criterion: whatever it keeps is the full
    vocabulary's greedy translation; a small map is redone in part, not wholesale."""
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False, beams=1)
    save(build(model_pairs(full, first), common=10, per_source=2), full.model.folder,
         full.model.fingerprint)  # fmt: skip
    short = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False,
                       beams=1, shortlist=True)  # fmt: skip
    second = second[: short.model.guard.window]  # one part: the guard judges every one
    found = short.translate_checked(second)
    assert [c.text for c in found] == full.translate(second)
    statuses = [c.shortlist.status for c in found]
    assert statuses.count("redone") > 0 and statuses.count("verified") > len(second) / 2


def test_agreement_shows_the_guard_s_price_under_a_small_map(own_toy, tmp_path):
    first, second = _halves()
    corpus, held_out = tmp_path / "corpus.fr", tmp_path / "held-out.fr"
    corpus.write_text("\n".join(first) + "\n")
    held_out.write_text("\n".join(second) + "\n")
    built = cli("models", "shortlist", own_toy, "--corpus", corpus, "--common", 0,
                "--per-source", 1)  # fmt: skip
    assert built.exit_code == 0, built.output
    shown = cli("evaluate", "agreement", "--source", held_out, "-m", own_toy)
    assert shown.exit_code == 0, shown.output
    n = len(second)
    assert f"identical with and without the shortlist: {n} of {n} sentences" in shown.stdout
    # The first 256 (one part) all redone; then the shortlist is set aside for the rest.
    assert (
        f"redone by the shortlist guard (translated again without it): 256 ({25600 / n:.1f}%)"
        in (shown.stdout)
    )
    assert f"redone more than a quarter of the sentences before them: {n - 256}" in shown.stdout


def test_a_shortlisted_batch_out_of_memory_is_redone_not_lost(own_toy, monkeypatch):
    """As a GPU says it: the batch goes to the redo with the full vocabulary (which
    halves what does not fit), and the English is the full vocabulary's."""
    first, second = _halves()
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    save(build(model_pairs(full, first), common=10, per_source=10), full.model.folder,
         full.model.fingerprint)  # fmt: skip
    short = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False,
                       shortlist=True, batch_tokens=64)  # fmt: skip
    backend, calls = short.model.backend, []
    real = backend.submit_scored

    def first_fails(batch, decoding):
        calls.append(len(batch))
        if len(calls) > 1:
            return real(batch, decoding)

        def collect():
            raise RuntimeError("CUDA failed with error out of memory")

        return collect

    monkeypatch.setattr(backend, "submit_scored", first_fails)
    found = short.translate_checked(second[:40])
    assert len(calls) > 1
    same_batches = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False,
                              shortlist=False, batch_tokens=64)  # fmt: skip
    assert [c.text for c in found] == same_batches.translate(second[:40])
    statuses = [c.shortlist.status for c in found]
    assert statuses.count("redone") >= calls[0] and "verified" in statuses


def test_the_guard_sets_a_wanting_shortlist_aside_then_tries_it_again():
    """Past the break-even share of redone sentences the shortlist is set aside for a
    while (a redone sentence costs two decodes), then tried again."""
    from translate_news.core.document import ShortlistCheck
    from translate_news.seq2seq.confidence import BREAK_EVEN, GuardRecord

    record = GuardRecord(window=8, least=4, rest=10)
    redone, kept = ShortlistCheck("redone", 0.1), ShortlistCheck("verified", 1.0)
    record.note([kept, kept, redone])  # too few to judge
    assert record.use(5)
    record.note([kept, kept, kept])  # 1 of 6: under a quarter
    assert record.use(5) and BREAK_EVEN == 0.25
    record.note([redone, redone])  # 3 of the last 8
    assert not record.use(6) and not record.use(4)  # the 10 set aside
    assert record.use(1)  # tried again, its record begun anew
    record.note([redone, redone, redone])
    assert record.use(1)


def test_a_shortlist_made_from_the_words_that_ship(own_toy):
    """Without a corpus (as models download builds it): the French words of NLTK's
    French Punkt model and of the model's own vocabulary, each translated alone; the
    guarded translations are the full vocabulary's."""
    _, second = _halves()
    built = cli("models", "shortlist", own_toy)
    assert built.exit_code == 0, built.output
    assert "French words one by one" in built.stderr and "now use it, guarded" in built.stderr
    full = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False,
                      shortlist=False)  # fmt: skip
    short = Translator(str(own_toy), backend="ctranslate2", device="cpu", memory=False)
    assert short.model.backend.shortlist  # on by default once built
    found = short.translate_checked(second[:100])
    assert [c.text for c in found] == full.translate(second[:100])
    assert all(c.shortlist is not None for c in found)


def test_a_shortlist_from_what_the_model_translated_already(own_toy, tmp_path):
    """--from-memory: the model's own translations the memory kept (translate with its
    defaults, memory on at its default path) are the corpus; nothing is translated
    again, and the held-out half is translated as with the full vocabulary."""
    first, second = _halves()
    corpus = tmp_path / "first.txt"
    corpus.write_text("\n\n".join(first) + "\n")
    done = cli("translate", corpus, "-o", tmp_path / "first.en.txt", "-m", own_toy)
    assert done.exit_code == 0, done.output
    built = cli("models", "shortlist", own_toy, "--from-memory", "--common", 10,
                "--per-source", 10)  # fmt: skip
    assert built.exit_code == 0, built.output
    assert f"aligning the {len(first)} translations by" in built.stderr
    assert "translating" not in built.stderr
    held_out = tmp_path / "held-out.fr"
    held_out.write_text("\n".join(second) + "\n")
    measured = cli("evaluate", "agreement", "--source", held_out, "-m", own_toy, "--json")
    report = json.loads(measured.stdout)
    assert report["identical"] == len(second) and report["redone"] < len(second) / 10
    both = cli("models", "shortlist", own_toy, "--from-memory", "--corpus", corpus)
    assert both.exit_code == 2 and "not both" in both.stderr


def test_a_shortlist_from_an_empty_memory_says_so(own_toy, tmp_path):
    empty = cli("models", "shortlist", own_toy, "--from-memory", "--memory", tmp_path / "m.db")
    assert empty.exit_code != 0 and "no translation memory there" in empty.stderr
    assert "Traceback" not in empty.output
