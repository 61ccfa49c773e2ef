"""Every execution path against the torch fp32 reference, on the trained toy model."""

import pytest

from translate_news import Translator

from .conftest import make_test_models

SOURCES = [fr for fr, _ in make_test_models.toy_corpus()]


@pytest.fixture(scope="module")
def reference(toy_model):
    return Translator(str(toy_model), backend="torch", beams=4, memory=False).translate(SOURCES)


@pytest.mark.parametrize(
    ("compute_type", "minimum"), [("float32", 1.0), ("int8", 0.95), ("int8_float32", 0.95)]
)
def test_ctranslate2_agrees_with_torch(toy_model, reference, compute_type, minimum):
    translator = Translator(
        str(toy_model), backend="ctranslate2", compute_type=compute_type, beams=4, memory=False
    )
    output = translator.translate(SOURCES)
    agreement = sum(a == b for a, b in zip(output, reference)) / len(reference)
    assert agreement >= minimum


def test_conversion_is_cached_beside_the_model(toy_model):
    Translator(str(toy_model), backend="ctranslate2", compute_type="int8", memory=False)
    converted = list(toy_model.glob("ctranslate2-int8-*"))
    assert len(converted) == 1 and (converted[0] / "model.bin").exists()


def test_auto_backend_is_ctranslate2_int8_on_cpu(toy_model):
    translator = Translator(str(toy_model), memory=False)
    assert (translator.backend.name, translator.backend.precision) == ("ctranslate2", "int8")


def test_out_of_memory_halves_the_batch(toy_model, monkeypatch):
    translator = Translator(str(toy_model), backend="torch", memory=False)
    generate = translator.backend.generate
    sizes = []

    def small_gpu(batch, decoding):
        sizes.append(len(batch))
        if len(batch) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return generate(batch, decoding)

    monkeypatch.setattr(translator.backend, "generate", small_gpu)
    pairs = make_test_models.toy_article_pairs()
    assert translator.translate([fr for fr, _ in pairs]) == [en for _, en in pairs]
    assert max(s for s in sizes if s <= 2) == 2 and sizes[0] == len(pairs)


def test_fresh_conversion_runs_in_a_child_process(toy_model, tmp_path):
    import shutil

    copy = tmp_path / "toy"
    shutil.copytree(toy_model, copy, ignore=shutil.ignore_patterns("ctranslate2-*"))
    translator = Translator(str(copy), backend="ctranslate2", compute_type="int8", memory=False)
    assert translator.translate(["Le chat mange la pomme."]) == ["The cat eats the apple."]
    (converted,) = copy.glob("ctranslate2-int8-*")
    assert (converted / "model.bin").exists()
    assert not list(copy.glob(".ctranslate2-*"))  # no temporary folder left behind


def test_concurrent_batches_halve_on_out_of_memory(toy_model, monkeypatch):
    translator = Translator(str(toy_model), backend="ctranslate2", batch_tokens=64, memory=False)
    submit = translator.backend.submit
    generate = translator.backend.generate
    sizes = []

    def small_gpu_submit(batch, decoding):
        if len(batch) > 1:

            def fail():
                raise RuntimeError("CUDA failed with error out of memory")

            return fail
        return submit(batch, decoding)

    def small_gpu_generate(batch, decoding):
        sizes.append(len(batch))
        if len(batch) > 1:
            raise RuntimeError("CUDA failed with error out of memory")
        return generate(batch, decoding)

    monkeypatch.setattr(translator.backend, "submit", small_gpu_submit)
    monkeypatch.setattr(translator.backend, "generate", small_gpu_generate)
    pairs = make_test_models.toy_article_pairs()
    assert translator.translate([fr for fr, _ in pairs]) == [en for _, en in pairs]
    assert 1 in sizes and max(sizes) > 1


def test_ctranslate2_path_never_imports_torch(toy_model):
    import subprocess
    import sys

    Translator(str(toy_model), backend="ctranslate2", memory=False)  # converted already
    code = (
        "import sys; from translate_news import Translator; "
        f"t = Translator({str(toy_model)!r}, backend='ctranslate2', memory=False); "
        "print(t.translate(['Le chat mange la pomme.'])[0], 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "The cat eats the apple. False"
