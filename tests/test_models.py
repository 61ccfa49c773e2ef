import json

import pytest

from translate_news.core.errors import ModelNotFoundError
from translate_news.seq2seq.sources import DEFAULT_MODEL, resolve_model

from .conftest import hub_cache


def test_default_is_the_hub_id():
    source = resolve_model()
    assert (source.name, source.local) == (DEFAULT_MODEL, False)


def test_models_dir_copy_wins_over_the_hub(isolated_env):
    local = isolated_env / "models" / "opus-mt-fr-en"
    local.mkdir(parents=True)
    assert resolve_model().name == str(local)
    assert resolve_model("opus-mt-fr-en").name == str(local)


def test_environment_variable_wins_over_models_dir(isolated_env, monkeypatch):
    (isolated_env / "models" / "opus-mt-fr-en").mkdir(parents=True)
    other = isolated_env / "other"
    other.mkdir()
    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", str(other))
    assert resolve_model().name == str(other)


def test_argument_wins_over_everything(isolated_env, monkeypatch):
    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", "someone/else")
    assert resolve_model("Helsinki-NLP/opus-mt-fr-de", revision="abc").revision == "abc"


@pytest.mark.parametrize("name", ["./absent", "absent", "/no/such/dir"])
def test_not_a_directory_nor_a_hub_id(name):
    with pytest.raises(ModelNotFoundError):
        resolve_model(name)


def test_unreachable_hub_fails_at_once_in_one_line(monkeypatch):
    """Without HF_HUB_OFFLINE and without a network, the Hub is probed once instead of
    huggingface_hub's 45 s of retries. The endpoint here is a closed port on this machine,
    and huggingface_hub itself stays offline (it read HF_HUB_OFFLINE at import)."""
    import socket

    from translate_news import Translator

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE")
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(ModelNotFoundError, match=f"cannot be reached \\(127.0.0.1:{port}") as err:
        Translator("someone/not-cached-anywhere")
    assert "\n" not in str(err.value)


def test_behind_a_proxy_the_hub_is_not_probed(monkeypatch):
    from translate_news.seq2seq.sources import _hub_unreachable

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1")
    assert _hub_unreachable() is None


def test_hub_id_from_the_cache_converts_for_ctranslate2(toy_model, tmp_path):
    from translate_news import Translator

    cache = hub_cache(tmp_path / "hub", "toy-org/marian-toy", toy_model)
    translator = Translator(
        "toy-org/marian-toy", cache_dir=str(cache), backend="ctranslate2", memory=False
    )
    assert translator.translate(["Le chat mange la pomme."]) == ["The cat eats the apple."]


def test_cached_tokenizer_without_weights_is_one_clear_line(toy_model, tmp_path):
    """A cache where only the tokenizer was fetched (an interrupted first run) must not
    reach the converter, which would fail with a long traceback."""
    from translate_news import Translator

    weights = (".safetensors", ".bin")
    cache = hub_cache(
        tmp_path / "hub", "toy-org/marian-toy", toy_model, lambda n: not n.endswith(weights)
    )
    with pytest.raises(ModelNotFoundError, match="no weights") as err:
        Translator("toy-org/marian-toy", cache_dir=str(cache), backend="ctranslate2")
    assert "\n" not in str(err.value)


def test_models_download_list_path_remove(toy_model, isolated_env, monkeypatch):
    """The whole life of a model, from a Hugging Face cache laid out by the test (the
    network is never used): download places it in the models folder and converts it
    once; every command then finds it offline; remove deletes every copy."""
    import os

    from click.testing import CliRunner

    from translate_news.cli import app

    runner = CliRunner()
    hub_cache(isolated_env / "home" / "hf" / "hub", "toy-org/marian-toy", toy_model)
    folder = isolated_env / "models"
    done = runner.invoke(app, ["models", "download", "toy-org/marian-toy"])
    assert done.exit_code == 0, done.output
    placed = folder / "marian-toy"
    assert f"placed at {placed}" in done.stderr
    assert "converting" in done.stderr and "converted in" in done.stderr
    assert (placed / "model.safetensors").stat().st_nlink >= 1
    assert list(placed.glob("ctranslate2-int8-*/model.bin"))
    # and its vocabulary shortlist, made from the French words that ship
    assert "French words one by one" in done.stderr and list(placed.glob("*/vmap.txt"))
    again = runner.invoke(app, ["models", "download", "toy-org/marian-toy"])
    assert "already there" in again.stderr and "converting" not in again.stderr
    assert "its vocabulary shortlist is there already" in again.stderr

    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", "toy-org/marian-toy")
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    header, *rows = listed.stdout.strip().splitlines()
    assert header.split() == ["MODEL", "WHERE", "SIZE", "CONVERTED", "USED", "BY"]
    ours = next(r for r in rows if "models folder" in r)
    assert ours.split()[0] == "marian-toy" and "int8" in ours and ours.endswith("translate")
    assert any("toy-org/marian-toy" in r and "Hugging Face cache" in r for r in rows)
    path = runner.invoke(app, ["models", "path", "toy-org/marian-toy"])
    assert path.stdout.strip() == str(placed)

    text = runner.invoke(app, ["translate", "-", "--no-memory"], input="Le chat mange la pomme.")
    assert text.stdout.strip() == "The cat eats the apple."
    shown = runner.invoke(app, ["translate", "-", "-f", "json"], input="Le chat mange la pomme.")
    [sentence] = json.loads(shown.stdout)["paragraphs"][0]["sentences"]
    assert sentence["shortlist"]["status"] in ("verified", "redone")  # the map, guarded

    removed = runner.invoke(app, ["models", "remove", "toy-org/marian-toy"])
    assert removed.exit_code == 0, removed.output
    assert not placed.exists()
    assert not os.path.exists(isolated_env / "home" / "hf" / "hub" / "models--toy-org--marian-toy")
    gone = runner.invoke(app, ["models", "path", "toy-org/marian-toy"])
    assert gone.exit_code == 1 and "models download" in gone.stderr


def test_a_missing_model_says_where_it_looked_and_what_fixes_it(monkeypatch):
    from translate_news import Summarizer

    with pytest.raises(ModelNotFoundError) as err:
        Summarizer(None, local_files_only=True)
    message = str(err.value)
    assert "$TRANSLATE_NEWS_SUMMARIZER (unset)" in message and "distilbart-cnn-12-6" in message
    assert "translate-news models download distilbart-cnn-12-6" in message
    assert "--summarizer lead" in message and "\n" not in message


SENTENCES = [
    "Le Kremlin a assuré mardi ne pas s'attendre à des avancées miraculeuses.",
    "Frappes meurtrières",
    "Le chat mange la pomme.",
]


def test_a_model_with_opus_mt_tc_big_files(tc_big_model):
    """What sets opus-mt-tc-big-fr-en's files apart (an end token that is not 0, decoding
    settings in config.json only, float16 weights in pytorch_model.bin, 1,024 positions)
    loads on both backends, which decode alike (greedy: the same algorithm)."""
    import json

    from translate_news import Translator

    config = json.loads((tc_big_model / "config.json").read_text(encoding="utf-8"))
    assert config["eos_token_id"] != 0 and config["max_position_embeddings"] == 1024
    assert not (tc_big_model / "generation_config.json").exists()
    assert sorted(p.name for p in tc_big_model.glob("*.bin")) == ["pytorch_model.bin"]
    torch = Translator(str(tc_big_model), backend="torch", beams=1, memory=False)
    ct2 = Translator(
        str(tc_big_model), backend="ctranslate2", compute_type="float32", beams=1, memory=False
    )
    assert torch.model.tokenizer.eos_token_id == config["eos_token_id"]
    default = Translator(str(tc_big_model), memory=False)
    assert (default.model.max_input_tokens, default.model.beams) == (512, 4)
    assert torch.translate(SENTENCES) == ct2.translate(SENTENCES)


def test_the_tc_big_alias_finds_its_folder(tc_big_model, isolated_env):
    import shutil

    from translate_news import Translator

    shutil.copytree(tc_big_model, isolated_env / "models" / "opus-mt-tc-big-fr-en")
    assert resolve_model("opus-mt-tc-big-fr-en").name == str(
        isolated_env / "models" / "opus-mt-tc-big-fr-en"
    )
    translator = Translator("opus-mt-tc-big-fr-en", memory=False)
    assert translator.signature.model.endswith("opus-mt-tc-big-fr-en")
    assert str(translator.signature).startswith("opus-mt-tc-big-fr-en@")


def test_models_download_into_a_file_is_one_line(toy_model, isolated_env):
    from click.testing import CliRunner

    from translate_news.cli import app

    hub_cache(isolated_env / "home" / "hf" / "hub", "toy-org/marian-toy", toy_model)
    blocker = isolated_env / "a file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(
        app, ["models", "download", "toy-org/marian-toy", "--dir", str(blocker)]
    )
    assert result.exit_code == 1
    assert f"{blocker}: cannot hold models" in result.stderr
    assert "Traceback" not in result.output
