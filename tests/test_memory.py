import multiprocessing

from translate_news import Translator
from translate_news.memory import TranslationMemory


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
    assert memory.get_many("sig", ["phrase 399"]) == {"phrase 399": ("sentence 399", ())}
    assert memory.get_many("other", ["phrase 399"]) == {}
