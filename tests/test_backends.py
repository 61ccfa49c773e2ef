"""Every execution path against the torch fp32 reference, on the trained toy model."""

import pytest

from translate_news import Translator
from translate_news.core.errors import TranslateNewsError

from .conftest import make_test_models

SOURCES = [fr for fr, _ in make_test_models.toy_corpus()]


@pytest.fixture(scope="module")
def reference(toy_model):
    return Translator(
        str(toy_model), backend="torch", beams=4, device="cpu", memory=False
    ).translate(SOURCES)


@pytest.mark.parametrize(("compute_type", "minimum"), [("int8", 0.95), ("int8_float32", 0.95)])
def test_ctranslate2_agrees_with_torch(toy_model, reference, compute_type, minimum):
    translator = Translator(
        str(toy_model),
        backend="ctranslate2",
        compute_type=compute_type,
        beams=4,
        device="cpu",
        memory=False,
    )
    output = translator.translate(SOURCES)
    agreement = sum(a == b for a, b in zip(output, reference)) / len(reference)
    assert agreement >= minimum


@pytest.mark.parametrize("beams", [1, 4])
def test_ctranslate2_float32_is_transformers_but_for_its_own_beam_search(toy_model, beams):
    """float32 CTranslate2 through the engine translates as transformers does. Greedy
    search is the same algorithm in both, so every sentence must be equal. Beam search
    is not: CTranslate2's stopping rule can keep a finished hypothesis that scores
    worse than one still running (2 of the toy corpus's sentences at beam 4, with the
    toy model that transformers 5.24 trains; beams 3 and 5 find the better one). Those
    sentences must then be exactly what plain CTranslate2 gives: nothing of the
    difference is the engine's."""
    import ctranslate2

    expected = Translator(
        str(toy_model), backend="torch", beams=beams, device="cpu", memory=False
    ).translate(SOURCES)
    ours = Translator(
        str(toy_model),
        backend="ctranslate2",
        compute_type="float32",
        beams=beams,
        device="cpu",
        memory=False,
    )
    output = ours.translate(SOURCES)
    differing = [i for i, (a, b) in enumerate(zip(output, expected)) if a != b]
    if beams == 1:
        assert differing == []
    assert len(differing) <= len(SOURCES) // 100
    (folder,) = toy_model.glob("ctranslate2-float32-*")
    plain = ctranslate2.Translator(str(folder), device="cpu")
    tokenizer = ours.model.tokenizer
    for i in differing:
        tokens = tokenizer.convert_ids_to_tokens(tokenizer(SOURCES[i])["input_ids"])
        cap = ours.output_cap(len(tokens))
        (result,) = plain.translate_batch([tokens], beam_size=beams, max_decoding_length=cap)
        ids = tokenizer.convert_tokens_to_ids(result.hypotheses[0])
        assert output[i] == tokenizer.decode(ids, skip_special_tokens=True)


def test_conversion_is_cached_beside_the_model(toy_model):
    Translator(
        str(toy_model), backend="ctranslate2", compute_type="int8", device="cpu", memory=False
    )
    converted = list(toy_model.glob("ctranslate2-int8-*"))
    assert len(converted) == 1 and (converted[0] / "model.bin").exists()


def test_auto_backend_is_ctranslate2_int8_on_cpu(toy_model):
    translator = Translator(str(toy_model), device="cpu", memory=False)
    assert (translator.model.backend.name, translator.model.backend.precision) == (
        "ctranslate2",
        "int8",
    )


def test_out_of_memory_halves_the_batch(toy_model, monkeypatch):
    translator = Translator(str(toy_model), backend="torch", device="cpu", memory=False)
    generate = translator.model.backend.generate
    sizes = []

    def small_gpu(batch, decoding):
        sizes.append(len(batch))
        if len(batch) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return generate(batch, decoding)

    monkeypatch.setattr(translator.model.backend, "generate", small_gpu)
    pairs = make_test_models.toy_article_pairs()
    assert translator.translate([fr for fr, _ in pairs]) == [en for _, en in pairs]
    assert max(s for s in sizes if s <= 2) == 2 and sizes[0] == len(pairs)


def test_fresh_conversion_runs_in_a_child_process(toy_model, tmp_path):
    import shutil

    copy = tmp_path / "toy"
    shutil.copytree(toy_model, copy, ignore=shutil.ignore_patterns("ctranslate2-*"))
    translator = Translator(
        str(copy), backend="ctranslate2", compute_type="int8", device="cpu", memory=False
    )
    assert translator.translate(["Le chat mange la pomme."]) == ["The cat eats the apple."]
    (converted,) = copy.glob("ctranslate2-int8-*")
    assert (converted / "model.bin").exists()
    assert not list(copy.glob(".ctranslate2-*"))  # no temporary folder left behind


def test_concurrent_batches_halve_on_out_of_memory(toy_model, monkeypatch):
    translator = Translator(
        str(toy_model), backend="ctranslate2", batch_tokens=64, device="cpu", memory=False
    )
    submit = translator.model.backend.submit
    generate = translator.model.backend.generate
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

    monkeypatch.setattr(translator.model.backend, "submit", small_gpu_submit)
    monkeypatch.setattr(translator.model.backend, "generate", small_gpu_generate)
    pairs = make_test_models.toy_article_pairs()
    assert translator.translate([fr for fr, _ in pairs]) == [en for _, en in pairs]
    assert 1 in sizes and max(sizes) > 1


def test_ctranslate2_path_never_imports_torch(toy_model):
    import subprocess
    import sys

    Translator(
        str(toy_model), backend="ctranslate2", device="cpu", memory=False
    )  # converted already
    code = (
        "import sys; from translate_news import Translator; "
        f"t = Translator({str(toy_model)!r}, backend='ctranslate2', device='cpu', memory=False); "
        "print(t.translate(['Le chat mange la pomme.'])[0], "
        "[m for m in ('torch', 'transformers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Nor transformers: the Marian tokenizer is read with sentencepiece (1.3 s less start-up).
    assert out.stdout.strip() == "The cat eats the apple. []"


def _ctranslate2_sees_a_gpu() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0


@pytest.fixture
def phantom_gpu(monkeypatch):
    """Make CTranslate2 count a GPU on a machine that has none: loading on it then
    really fails, as it does where CTranslate2's CUDA libraries do not match."""
    import ctranslate2

    if _ctranslate2_sees_a_gpu():
        pytest.skip("a real GPU is present")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)


def test_gpu_ctranslate2_cannot_use_falls_back_to_transformers(toy_model, phantom_gpu, caplog):
    translator = Translator(str(toy_model), memory=False)
    assert translator.model.backend.name == "torch"
    assert "CTranslate2 cannot run on this GPU" in caplog.text
    pairs = make_test_models.toy_article_pairs()
    assert translator.translate([fr for fr, _ in pairs]) == [en for _, en in pairs]


def test_gpu_ctranslate2_cannot_use_is_one_line_when_asked_for(toy_model, phantom_gpu):
    with pytest.raises(TranslateNewsError, match=r"cannot run on this GPU.*--backend torch"):
        Translator(str(toy_model), backend="ctranslate2", device="cuda", memory=False)


def test_gpu_library_missing_after_loading_is_one_line(toy_model, monkeypatch):
    """CTranslate2 loaded (on a GPU its load tries a batch, and falls back there), then a
    batch cannot load cuBLAS: one line that says what to do; the backend is not swapped
    mid-run."""
    translator = Translator(str(toy_model), device="cpu", memory=False)
    assert translator.model.backend.name == "ctranslate2"

    class MissingCublas:
        def result(self):
            raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    def translate_batch(tokens, **options):
        return [MissingCublas() for _ in tokens]

    monkeypatch.setattr(translator.model.backend, "translator", type("T", (), {})())
    monkeypatch.setattr(
        translator.model.backend.translator, "translate_batch", translate_batch, False
    )
    with pytest.raises(TranslateNewsError, match=r"libcublas\.so\.12.*try --backend torch"):
        translator.translate(["Le chat mange la pomme."])
    assert translator.model.backend.name == "ctranslate2"


def test_failed_attempt_is_released_before_the_halves_run(toy_model, monkeypatch):
    """On a GPU the halves only fit once the failed attempt's tensors are freed; a
    retry made while its exception is still being handled keeps them alive."""
    import weakref

    translator = Translator(str(toy_model), backend="torch", device="cpu", memory=False)
    generate = translator.model.backend.generate
    attempts = []

    class Activations:  # stands for the tensors a failed generate() held
        pass

    def small_gpu(batch, decoding):
        assert all(ref() is None for ref in attempts), "a failed attempt is still alive"
        if len(batch) > 2:
            held = Activations()
            attempts.append(weakref.ref(held))
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return generate(batch, decoding)

    monkeypatch.setattr(translator.model.backend, "generate", small_gpu)
    pairs = make_test_models.toy_article_pairs()
    assert translator.translate([fr for fr, _ in pairs]) == [en for _, en in pairs]
    assert attempts


def _a_shared_library() -> str:
    """A shared library this process has loaded (libm), to stand for cuBLAS."""
    from pathlib import Path

    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        if "/libm.so" in path or "/libm-" in path:
            return path
    pytest.skip("no libm to stand for cuBLAS")


def test_cuda_libraries_are_found_in_nvidias_wheel_layout(tmp_path, monkeypatch):
    """pip install "translate-news[cuda]" puts cuBLAS 12 in site-packages/nvidia/cublas/lib;
    it is found there and loaded before CTranslate2 asks for it by name."""
    import shutil
    import sys

    from translate_news.seq2seq.cuda import cuda_library_dirs, preload_cuda_libraries

    if sys.platform != "linux":
        pytest.skip("the preload is for Linux")
    site = tmp_path / "site"
    lib = site / "nvidia" / "cublas" / "lib"
    lib.mkdir(parents=True)
    (site / "nvidia" / "cublas" / "__init__.py").write_text("")
    for name in ("libcublas.so.12", "libcublasLt.so.12"):
        shutil.copy(_a_shared_library(), lib / name)
    monkeypatch.syspath_prepend(str(site))
    for module in [m for m in sys.modules if m == "nvidia" or m.startswith("nvidia.")]:
        monkeypatch.delitem(sys.modules, module)
    assert cuda_library_dirs() == [lib]
    loaded = preload_cuda_libraries((lib,))
    assert [p.name for p in loaded] == ["libcublasLt.so.12", "libcublas.so.12"]


def test_a_damaged_cuda_library_is_a_warning(tmp_path, caplog):
    from translate_news.seq2seq.cuda import preload_cuda_libraries

    (tmp_path / "libcublas.so.12").write_text("not a library")
    assert preload_cuda_libraries((tmp_path,)) == ()
    assert "libcublas.so.12 could not be loaded" in caplog.text


def test_a_gpu_run_preloads_cuda_first(toy_model, phantom_gpu, monkeypatch):
    import translate_news.seq2seq.backends.ctranslate2 as backends

    calls = []
    monkeypatch.setattr(backends, "preload_cuda_libraries", lambda: calls.append(1) or ())
    Translator(str(toy_model), memory=False)  # CTranslate2 "sees" a GPU, then falls back
    assert calls == [1]
