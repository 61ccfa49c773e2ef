import multiprocessing

from translate_news import Translator
from translate_news.pipeline.memory import Entry, TranslationMemory


def test_second_run_comes_from_memory(toy_model, tmp_path, monkeypatch):
    path = tmp_path / "tm.sqlite"
    first = Translator(str(toy_model), memory_path=str(path))
    assert first.translate(["Le chat mange la pomme."]) == ["The cat eats the apple."]
    second = Translator(str(toy_model), memory_path=str(path))

    def no_generation(units, decoding):
        raise AssertionError("should have come from the translation memory")

    monkeypatch.setattr(second.model, "generate", no_generation)
    assert second.translate(["Le chat  mange la pomme."]) == ["The cat eats the apple."]


def test_changed_options_do_not_share_entries(toy_model, tmp_path):
    path = str(tmp_path / "tm.sqlite")
    a = Translator(str(toy_model), memory_path=path, beams=4)
    b = Translator(str(toy_model), memory_path=path, beams=1)
    c = Translator(str(toy_model), memory_path=path, backend="torch", beams=4)
    assert len({a.signature, b.signature, c.signature}) == 3


def test_no_cache_writes_nothing(toy_model, tmp_path):
    Translator(str(toy_model), memory=False).translate(["Le chat mange la pomme."])
    assert not list(tmp_path.rglob("*.sqlite"))


def _writer(path: str, start: int) -> None:
    memory = TranslationMemory(path)
    for i in range(start, start + 200, 10):
        memory.put_many("sig", {f"phrase {j}": (f"sentence {j}", ()) for j in range(i, i + 10)})


def test_two_processes_writing_at_once(tmp_path):
    path = str(tmp_path / "tm.sqlite")
    TranslationMemory(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, s)) for s in (0, 200)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    memory = TranslationMemory(path)
    assert len(memory) == 400
    assert memory.get_many("sig", ["phrase 399"]) == {"phrase 399": Entry("sentence 399")}
    assert memory.get_many("other", ["phrase 399"]) == {}


def test_memory_tools_round_trip_tmx_and_imports_win(toy_model, tmp_path):
    from click.testing import CliRunner

    from translate_news.cli import app
    from translate_news.formats.tmx import read_tmx

    runner = CliRunner()
    path = str(tmp_path / "tm.sqlite")
    french = ["Le chat mange la pomme.", "La presse regarde le rapport."]
    assert Translator(str(toy_model), memory_path=path).translate(french) == [
        "The cat eats the apple.",
        "The press watches the report.",
    ]
    stats = runner.invoke(app, ["memory", "stats", "--memory", path])
    assert stats.exit_code == 0 and "2 translations" in stats.stdout
    exported = tmp_path / "out.tmx"
    assert runner.invoke(app, ["memory", "export", str(exported), "--memory", path]).exit_code == 0
    units = read_tmx(exported)
    assert [(u.source, u.translation) for u in units] == list(
        zip(french, ["The cat eats the apple.", "The press watches the report."])
    )
    assert {u.origin for u in units} == {"model"} and units[0].signature.startswith("marian-toy@")

    # An editor corrects one sentence in a TMX file from another tool (fr-FR, markup).
    corrected = tmp_path / "corrected.tmx"
    corrected.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="fr-FR"/><body>'
        '<tu><tuv xml:lang="fr-FR"><seg>Le chat mange la pomme.</seg></tuv>'
        '<tuv xml:lang="en-GB"><seg>The cat <bpt i="1">&lt;b&gt;</bpt>devours'
        '<ept i="1">&lt;/b&gt;</ept> the apple.</seg></tuv></tu>'
        '<tu><tuv xml:lang="fr"><seg>Sans anglais.</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    imported = runner.invoke(app, ["memory", "import", str(corrected), "--memory", path])
    assert imported.exit_code == 0 and "imported 1 corrections" in imported.stderr
    again = Translator(str(toy_model), memory_path=path, beams=2)  # another signature too
    assert again.translate(french[:1]) == ["The cat devours the apple."]

    bad = tmp_path / "bad.tmx"
    bad.write_text("<html></html>", encoding="utf-8")
    refused = runner.invoke(app, ["memory", "import", str(bad), "--memory", path])
    assert refused.exit_code == 1 and "not a TMX file" in refused.stderr
    kept = runner.invoke(app, ["memory", "clear", "--memory", path])
    assert kept.exit_code == 2 and "--yes" in kept.stderr
    cleared = runner.invoke(app, ["memory", "clear", "--yes", "--memory", path])
    assert cleared.exit_code == 0 and "forgot 3 translations" in cleared.stderr


def test_the_memory_is_used_from_any_thread(toy_model, tmp_path):
    """A translator made in one thread translates in others (a server's worker, a Ray
    actor's batch thread), several at once, each reading and writing the same memory."""
    import concurrent.futures

    from .conftest import make_test_models

    pairs = make_test_models.toy_article_pairs()
    translator = Translator(str(toy_model), memory_path=str(tmp_path / "tm.sqlite"))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda pair: translator.translate([pair[0]])[0], pairs * 3))
    assert done == [english for _, english in pairs] * 3
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    assert len(memory) == len({french for french, _ in pairs})
    translator.memory.close()  # every thread's connection
    memory.close()


def test_damaged_copies_moved_aside_never_overwrite_each_other(tmp_path):
    path = tmp_path / "tm.sqlite"
    for round_ in range(3):  # within one second: the same time stamp
        path.write_bytes(f"damaged {round_} ".encode() * 200)
        TranslationMemory(path).close()
    copies = sorted(tmp_path.glob("tm.sqlite.damaged-*"))
    assert len(copies) == 3
    assert {c.read_bytes()[:9] for c in copies} == {b"damaged 0", b"damaged 1", b"damaged 2"}
