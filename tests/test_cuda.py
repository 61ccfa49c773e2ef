"""The CUDA paths, on a real GPU. Skipped where torch sees none (CI never has one);
`scripts/gpu_check.sh` runs them on a GPU machine together with the GPU benchmark."""

import pytest

from translate_news import Translator
from translate_news.core.errors import TranslateNewsError

from .conftest import make_test_models

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")

PAIRS = make_test_models.toy_article_pairs()
SOURCES = sorted({fr for fr, _ in make_test_models.toy_corpus()})


def test_torch_on_cuda_is_half_precision_and_exact(toy_model):
    translator = Translator(str(toy_model), backend="torch", device="cuda", memory=False)
    assert translator.model.device == "cuda" and translator.model.backend.precision == "float16"
    assert translator.model.batch_tokens == 1024
    assert translator.translate([fr for fr, _ in PAIRS]) == [en for _, en in PAIRS]


def test_ctranslate2_on_cuda_is_float16_and_exact(toy_model):
    try:
        translator = Translator(str(toy_model), backend="ctranslate2", device="cuda", memory=False)
    except TranslateNewsError as exc:
        # One line that names the cause, never a crash on the first sentence.
        assert "cannot run on this GPU" in str(exc) and "\n" not in str(exc)
        pytest.skip(str(exc))
    assert translator.model.backend.precision == "float16"
    assert translator.translate([fr for fr, _ in PAIRS]) == [en for _, en in PAIRS]


def test_default_options_use_the_gpu(toy_model):
    translator = Translator(str(toy_model), memory=False)
    assert translator.model.device == "cuda"
    assert translator.translate([fr for fr, _ in PAIRS]) == [en for _, en in PAIRS]


def test_real_out_of_memory_halves_the_batch(toy_model):
    """Cap this process's GPU memory below what one batch of the whole corpus needs:
    the batch must be halved, and every sentence still translated the same way."""
    translator = Translator(
        str(toy_model), backend="torch", device="cuda", batch_tokens=10**6, memory=False
    )
    sizes = []
    generate = translator.model.backend.generate

    def spy(batch, decoding):
        sizes.append(len(batch))
        return generate(batch, decoding)

    translator.model.backend.generate = spy
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    unlimited = translator.translate(SOURCES)
    peak = torch.cuda.max_memory_allocated() - base
    assert sizes == [len(SOURCES)]

    sizes.clear()
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction((base + peak / 2) / total)
    try:
        limited = translator.translate(SOURCES)
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    assert sizes[0] == len(SOURCES) and min(sizes) <= len(SOURCES) // 2
    assert limited == unlimited
