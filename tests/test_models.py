import pytest

from translate_news.errors import ModelNotFoundError
from translate_news.models import DEFAULT_MODEL, resolve_model


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
