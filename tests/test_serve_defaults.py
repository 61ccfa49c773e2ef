"""``translate-news serve`` exactly as README shows it: the command in its own process,
a real uvicorn, an isolated HOME and every default (the translation memory on, at its
default path); the model named the way a user names one ($TRANSLATE_NEWS_MODEL). What
is asserted is what a user sees: English text, from the API, the file endpoint, the
page in a real browser and LibreTranslate's own client libraries."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest

from .conftest import make_test_models

PAIRS = make_test_models.toy_article_pairs()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _command() -> list[str]:
    script = Path(sys.executable).with_name("translate-news")
    return [str(script)] if script.exists() else [sys.executable, "-m", "translate_news"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(*options: str):
    """Start ``translate-news serve`` with ``options``; its URL and process, once
    /health answers."""
    port = _free_port()
    process = subprocess.Popen(
        [*_command(), "serve", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code in (200, 503):
                return url, process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"serve did not start: {_stop(process)}")


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


@pytest.fixture
def served(toy_model, isolated_env, monkeypatch):
    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", str(toy_model))
    url, process = _serve()
    yield url
    _stop(process)


def test_serve_with_its_defaults_translates_and_remembers(served, isolated_env):
    url = served
    # README's curl example, with the toy model's French.
    body = {"q": PAIRS[0][0], "source": "fr", "target": "en"}
    first = httpx.post(f"{url}/translate", json=body, timeout=60)
    assert first.status_code == 200, first.text
    assert first.json() == {"translatedText": PAIRS[0][1]}
    again = httpx.post(f"{url}/translate", data=body, timeout=60)
    assert again.json() == {"translatedText": PAIRS[0][1]}
    # A browser extension's HTML: the sentence cut by <b> is translated whole, the tag
    # put back around the English of its word.
    markup = {**body, "q": "<p>Le maire annonce le budget <b>mardi</b>.</p>", "format": "html"}
    tagged = httpx.post(f"{url}/translate", json=markup, timeout=60).json()
    assert tagged == {"translatedText": "<p>The mayor announces the budget <b>on Tuesday</b>.</p>"}
    memory = isolated_env / "home" / "cache" / "translate-news" / "memory.sqlite"
    assert memory.is_file()  # the default memory, where README says it is

    from translate_news.pipeline.memory import TranslationMemory

    assert any(s == PAIRS[0][0] for _, _, s, _ in TranslationMemory(memory).entries())

    article = httpx.post(
        f"{url}/translate_article", json={"text": make_test_models.TOY_ARTICLE}, timeout=60
    )
    assert article.json()["paragraphs"][0]["sentences"][0]["translation"] == PAIRS[0][1]
    upload = httpx.post(
        f"{url}/translate_file",
        files={"file": ("article.txt", make_test_models.TOY_ARTICLE.encode(), "text/plain")},
        data={"source": "fr", "target": "en"},
        timeout=60,
    )
    assert upload.status_code == 200, upload.text
    download = httpx.get(upload.json()["translatedFileUrl"])
    assert f"{PAIRS[0][1]} {PAIRS[1][1]}" in download.text
    assert 'filename="article.txt"' in download.headers["content-disposition"]
    health = httpx.get(f"{url}/health").json()
    assert health["status"] == "ok" and "marian-toy" in health["signature"]


def test_serve_gives_word_and_subtitles_back_as_they_came(served, tmp_path):
    """/translate_file with a .docx or .srt: the download is the same document in English."""
    import docx

    from .word_documents import make_document

    source = make_document(tmp_path / "report.docx")
    upload = httpx.post(
        f"{served}/translate_file",
        files={"file": ("report.docx", source.read_bytes())},
        data={"source": "fr", "target": "en"},
        timeout=60,
    )
    assert upload.status_code == 200, upload.text
    download = httpx.get(upload.json()["translatedFileUrl"])
    assert download.headers["content-type"].endswith("wordprocessingml.document")
    assert 'filename="report.docx"' in download.headers["content-disposition"]
    document = docx.Document(io.BytesIO(download.content))
    assert document.paragraphs[1].text == (
        "The mayor announces the budget on Tuesday. The press watches the report."
    )
    assert ("on Tuesday", True) in [(r.text, r.bold) for r in document.paragraphs[1].runs]
    # Subtitles come back as subtitles, on the same cues.
    cues = "1\n00:00:01,000 --> 00:00:02,000\nLe maire annonce\n\n2\n00:00:02,100 --> 00:00:03,000\nle budget mardi.\n"
    upload = httpx.post(
        f"{served}/translate_file",
        files={"file": ("clip.srt", cues.encode())},
        data={"source": "fr", "target": "en"},
        timeout=60,
    )
    assert upload.status_code == 200, upload.text
    download = httpx.get(upload.json()["translatedFileUrl"])
    assert download.text == (
        "1\n00:00:01,000 --> 00:00:02,000\nThe mayor announces\n\n"
        "2\n00:00:02,100 --> 00:00:03,000\nthe budget on Tuesday.\n"
    )
    assert 'filename="clip.srt"' in download.headers["content-disposition"]
    # A PDF comes back as Markdown.
    from .pdf_documents import make_pdf

    pdf = make_pdf(tmp_path / "release.pdf", pages=2, columns=2).read_bytes()
    upload = httpx.post(
        f"{served}/translate_file", files={"file": ("release.pdf", pdf)}, timeout=60
    )
    assert upload.status_code == 200, upload.text
    download = httpx.get(upload.json()["translatedFileUrl"])
    assert download.text.startswith("# The mayor announces the budget\n")
    assert 'filename="release.md"' in download.headers["content-disposition"]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_page_of_serve_with_its_defaults_in_a_real_browser(served):
    text = urllib.parse.quote(PAIRS[0][0] + " " + PAIRS[1][0])
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
         "--dump-dom", f"{served}/?text={text}"],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    assert f"<td>{PAIRS[0][0]}</td><td>{PAIRS[0][1]}</td>" in dom, dom[-2000:]
    assert f"<td>{PAIRS[1][0]}</td><td>{PAIRS[1][1]}</td>" in dom
    assert "2 sentences" in dom


def test_libretranslate_clients_against_serve(served):
    from libretranslate_aio import AsyncLibreTranslate, LibreTranslate
    from libretranslatepy import LibreTranslateAPI

    plain = LibreTranslateAPI(served)
    assert plain.translate(PAIRS[0][0], "fr", "en") == PAIRS[0][1]
    assert plain.detect(PAIRS[1][0])[0]["language"] == "fr"
    assert {"code": "fr", "name": "French", "targets": ["en"]} in plain.languages()

    with LibreTranslate(served) as client:
        one = client.translate(PAIRS[1][0], "fr", "en", alternatives=2)
        assert one.translated_text == PAIRS[1][1] and isinstance(one.alternatives, list)
        many = client.translate([PAIRS[2][0], PAIRS[3][0]], "auto", "en")
        assert many.translated_text == [PAIRS[2][1], PAIRS[3][1]]
        assert [d.language for d in many.detected_language] == ["fr", "fr"]
        settings = client.frontend_settings()
        assert settings.char_limit == 20_000 and not settings.key_required
        assert client.health() is True

    async def asynchronous() -> tuple[str, list[str]]:
        async with AsyncLibreTranslate(served) as client:
            done = await client.translate(PAIRS[4][0], "fr", "en")
            found = await client.detect("The minister has refused to comment on the report.")
            return done.translated_text, [d.language for d in found]

    text, languages = asyncio.run(asynchronous())
    assert text == PAIRS[4][1] and languages[0] == "en"


def test_libretranslate_clients_with_keys(toy_model, isolated_env, monkeypatch, tmp_path):
    from libretranslate_aio import AsyncLibreTranslate, LibreTranslate
    from libretranslate_aio.exceptions import BadRequestError, ForbiddenError
    from libretranslatepy import LibreTranslateAPI

    keys = tmp_path / "keys.txt"
    keys.write_text("# team keys\nnewsroom-key\n\n")
    monkeypatch.setenv("TRANSLATE_NEWS_MODEL", str(toy_model))
    url, process = _serve("--api-keys", str(keys), "--require-api-key")
    try:
        assert (
            LibreTranslateAPI(url, "newsroom-key").translate(PAIRS[0][0], "fr", "en")
            == (PAIRS[0][1])
        )
        with LibreTranslate(url, api_key="newsroom-key") as client:
            assert client.translate(PAIRS[1][0], "fr", "en").translated_text == PAIRS[1][1]
            assert client.frontend_settings().key_required is True
        with LibreTranslate(url, api_key="# team keys") as client, pytest.raises(ForbiddenError):
            client.translate(PAIRS[1][0], "fr", "en")  # a comment is no key
        with LibreTranslate(url) as client, pytest.raises(BadRequestError, match="API key"):
            client.translate(PAIRS[1][0], "fr", "en")

        async def asynchronous() -> str:
            async with AsyncLibreTranslate(url, api_key="newsroom-key") as client:
                return (await client.translate(PAIRS[2][0], "fr", "en")).translated_text

        assert asyncio.run(asynchronous()) == PAIRS[2][1]
        if CHROMIUM is not None:  # the page asks for the key, and says why it failed
            text = urllib.parse.quote(PAIRS[0][0])
            dom = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                 "--virtual-time-budget=20000", "--dump-dom", f"{url}/?text={text}"],
                capture_output=True, text=True, timeout=120,
            ).stdout  # fmt: skip
            assert '<p id="keyline">' in dom and "(required)" in dom  # shown, not hidden
            assert "Please contact the server operator to get an API key" in dom
    finally:
        _stop(process)


def test_a_memory_on_a_network_file_system_is_refused_in_one_line(
    toy_model, isolated_env, monkeypatch, tmp_path
):
    """A mount table (the kernel's format) that puts the memory's folder on NFS."""
    from click.testing import CliRunner

    from translate_news.cli import app
    from translate_news.pipeline import memory

    share = tmp_path / "share"
    share.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\nfiler:/export {share} nfs4 rw,relatime 0 0\n", encoding="utf-8"
    )
    monkeypatch.setattr(memory, "MOUNTS", mounts)
    result = CliRunner().invoke(
        app, ["translate", "--text", PAIRS[0][0], "-m", str(toy_model),
              "--memory", str(share / "memory.sqlite")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "network file system (nfs4)" in result.stderr and "WAL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (share / "memory.sqlite").exists()
    local = CliRunner().invoke(app, ["translate", "--text", PAIRS[0][0], "-m", str(toy_model)])
    assert local.exit_code == 0 and PAIRS[0][1] in local.stdout


def test_the_api_keys_file_must_be_a_regular_file(toy_model, tmp_path):
    from click.testing import CliRunner

    from translate_news.cli import app

    fifo = tmp_path / "keys.fifo"
    os.mkfifo(fifo)
    result = CliRunner().invoke(app, ["serve", "-m", str(toy_model), "--api-keys", str(fifo)])
    assert result.exit_code == 2 and "must be a regular file, not a FIFO" in result.stderr
