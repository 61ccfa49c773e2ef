"""The HTTP server, against a real uvicorn on loopback started here, with the toy model."""

from __future__ import annotations

import concurrent.futures
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from contextlib import contextmanager

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_news import Summarizer, Translator
from translate_news.server import ServerLimits, create_app

from .conftest import make_test_models

PAIRS = make_test_models.toy_article_pairs()


@contextmanager
def running(
    translator: Translator,
    limits: ServerLimits | None = None,
    together: bool = True,
    summarizer: Summarizer | None = None,
):
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(translator, limits, together, summarizer)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def translator(test_models):
    return Translator(str(test_models / "marian-toy"), memory=False, device="cpu")


@pytest.fixture(scope="module")
def server(translator):
    with running(translator, summarizer=Summarizer("lead", sentences=2)) as (url, app):
        yield url, app


def test_libretranslate_translate(server):
    url, _ = server
    one = httpx.post(f"{url}/translate", json={"q": PAIRS[0][0], "source": "fr", "target": "en"})
    assert one.status_code == 200 and one.json() == {"translatedText": PAIRS[0][1]}
    many = httpx.post(f"{url}/translate", json={"q": [p[0] for p in PAIRS[:3]], "source": "fr"})
    assert many.json()["translatedText"] == [p[1] for p in PAIRS[:3]]
    form = httpx.post(f"{url}/translate", data={"q": PAIRS[1][0], "source": "auto", "target": "en"})
    assert form.json() == {
        "translatedText": PAIRS[1][1],
        "detectedLanguage": {"confidence": 90.0, "language": "fr"},
    }
    two = f"{PAIRS[0][0]}\n\n{PAIRS[1][0]}"  # paragraphs kept
    assert httpx.post(f"{url}/translate", json={"q": two}).json()["translatedText"] == (
        f"{PAIRS[0][1]}\n\n{PAIRS[1][1]}"
    )


def test_html_keeps_the_markup(server):
    url, _ = server
    markup = (
        f'<p class="x">{PAIRS[0][0]} <b>{PAIRS[1][0]}</b></p><script>var a = "Le chat";</script>'
    )
    answer = httpx.post(f"{url}/translate", json={"q": markup, "format": "html"}).json()
    assert answer["translatedText"] == (
        f'<p class="x">{PAIRS[0][1]} <b>{PAIRS[1][1]}</b></p><script>var a = "Le chat";</script>'
    )


def test_errors_are_json_with_the_right_code(server):
    url, _ = server
    cases = [
        ({"q": "Bonjour", "source": "de"}, 400, "de is not supported"),
        ({"source": "fr"}, 400, "missing q"),
        ({"q": 3}, 400, "q must be"),
        ({"q": "x", "format": "pdf"}, 400, "format must be"),
        ({"q": "The company has refused to comment on the report.", "source": "auto"}, 400, "en"),
    ]
    for body, status, words in cases:
        answer = httpx.post(f"{url}/translate", json=body)
        assert answer.status_code == status and words in answer.json()["error"], body
    assert httpx.get(f"{url}/nowhere").json() == {"error": "no such endpoint: /nowhere"}
    assert httpx.get(f"{url}/translate").status_code == 405
    garbled = httpx.post(
        f"{url}/translate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbled.status_code == 400 and "not valid JSON" in garbled.json()["error"]


def test_languages_detect_health_metrics_docs(server):
    url, _ = server
    assert {"code": "fr", "name": "French", "targets": ["en"]} in httpx.get(
        f"{url}/languages"
    ).json()
    english = "The company has refused to comment on the report published this morning."
    assert httpx.post(f"{url}/detect", json={"q": english}).json()[0]["language"] == "en"
    assert httpx.get(f"{url}/health").json()["status"] == "ok"
    metrics = httpx.get(f"{url}/metrics").text
    assert 'translate_news_requests_total{path="/translate",status="200"}' in metrics
    assert "translate_news_batch_sentences_bucket" in metrics
    assert httpx.get(f"{url}/openapi.json").json()["info"]["title"] == "translate-news"
    assert httpx.get(f"{url}/docs").status_code == 200


def test_article_endpoint_and_page(server):
    url, _ = server
    text = make_test_models.TOY_ARTICLE
    record = httpx.post(f"{url}/translate_article", json={"text": text}).json()
    assert record["paragraphs"][0]["sentences"][0]["translation"] == PAIRS[0][1]
    page = httpx.get(f"{url}/").text
    assert "translate_article" in page and "http" not in page.split("<body>")[1]  # no assets


def test_concurrent_callers_share_batches_and_each_gets_its_own(translator):
    corpus = [fr for fr, _ in make_test_models.toy_corpus()]
    requests = [corpus[i * 7 : i * 7 + 7] for i in range(12)]
    alone = [translator.translate(sentences) for sentences in requests]
    limits = ServerLimits(window=0.2)
    with running(translator, limits) as (url, app), httpx.Client() as client:
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            answers = list(
                pool.map(lambda q: client.post(f"{url}/translate", json={"q": q}), requests)
            )
        largest = app.state.service.metrics.batch_sizes.largest
    assert [a.json()["translatedText"] for a in answers] == alone
    assert largest > 7  # some batch held more than one caller's sentences


def test_limits(translator):
    limits = ServerLimits(
        char_limit=60, api_keys=frozenset({"k1"}), requests_per_minute=2, queue_limit=3,
        body_limit=500,
    )  # fmt: skip
    with running(translator, limits) as (url, _):
        post = lambda body: httpx.post(f"{url}/translate", json=body)  # noqa: E731
        assert post({"q": PAIRS[0][0]}).status_code == 403
        assert post({"q": PAIRS[0][0], "api_key": "nope"}).status_code == 403
        assert post({"q": PAIRS[0][0], "api_key": "k1"}).status_code == 200
        too_long = post({"q": "Le chat mange la pomme. " * 3, "api_key": "k1"})
        assert too_long.status_code == 400 and "exceeds text limit (60)" in too_long.json()["error"]
        assert post({"q": PAIRS[0][0], "api_key": "k1"}).status_code == 429  # 2 per minute
    with running(translator, ServerLimits(queue_limit=3, body_limit=500)) as (url, _):
        busy = httpx.post(f"{url}/translate", json={"q": [p[0] for p in PAIRS[:4]]})
        assert busy.status_code == 503 and "busy" in busy.json()["error"]
        big = httpx.post(f"{url}/translate", json={"q": "x" * 600})
        assert big.status_code == 413


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.dictionaries(
        st.sampled_from(["q", "source", "target", "format", "api_key", "other"]),
        st.one_of(
            st.none(),
            st.integers(),
            st.text(max_size=40),
            st.lists(st.text(max_size=20), max_size=3),
            st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        ),
    )
)
def test_no_request_body_gets_a_server_error(server, body):
    url, _ = server
    answer = httpx.post(f"{url}/translate", json=body)
    assert answer.status_code < 500, (body, answer.text)
    assert answer.headers["content-type"].startswith("application/json")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_page_translates_in_a_real_browser(server):
    url, _ = server
    text = urllib.parse.quote(PAIRS[0][0] + " " + PAIRS[1][0])
    browser = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu"]
    dom = subprocess.run(
        [*browser, "--virtual-time-budget=15000", "--dump-dom", f"{url}/?text={text}"],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert f"<td>{PAIRS[0][0]}</td><td>{PAIRS[0][1]}</td>" in dom
    assert f"<td>{PAIRS[1][0]}</td><td>{PAIRS[1][1]}</td>" in dom
    assert "2 sentences" in dom
    assert f"<strong>Summary (LEAD-2): </strong>{PAIRS[0][1]} {PAIRS[1][1]}" in dom


def test_summarize_brief_and_files(server, translator):
    url, _ = server
    text = make_test_models.TOY_ARTICLE
    record = httpx.post(f"{url}/summarize", json={"text": text}).json()
    assert record["summary"]["text"] == f"{PAIRS[0][1]} {PAIRS[1][1]}"  # LEAD-2
    assert record["summary"]["method"] == "LEAD-2"
    assert record["translation"]["title"]["translation"] == PAIRS[-1][1]
    second = "Le chat mange la pomme.\n\nLa presse regarde le rapport."
    brief = httpx.post(f"{url}/brief", json={"articles": [text, second], "format": "json"})
    assert brief.status_code == 200, brief.text
    assert len([a for day in brief.json()["days"] for a in day["articles"]]) == 2
    page = httpx.post(f"{url}/brief", json={"articles": [text], "format": "html"})
    assert page.headers["content-type"].startswith("text/html") and "<h1>" in page.text
    uploaded = httpx.post(
        f"{url}/translate_file",
        files={"file": ("dépêche.txt", text.encode(), "text/plain")},
        data={"source": "fr", "target": "en"},
    )
    link = uploaded.json()["translatedFileUrl"]
    assert link.startswith(f"{url}/download_file/") and link.endswith("-dépêche.en.txt")
    downloaded = httpx.get(link)
    assert downloaded.headers["content-type"].startswith("text/plain")
    assert downloaded.text.startswith(f"{PAIRS[-1][1]}\n2025-07\n\n{PAIRS[0][1]} {PAIRS[1][1]}")
    odd = httpx.post(f"{url}/translate_file", files={"file": ("x.exe", b"MZ", "x/y")})
    assert odd.status_code == 400 and "unsupported file type" in odd.json()["error"]
    assert httpx.get(f"{url}/download_file/../../etc/passwd").status_code == 404


def test_no_summariser_is_503(translator):
    with running(translator) as (url, _):
        answer = httpx.post(f"{url}/summarize", json={"text": "Le chat mange la pomme."})
        assert answer.status_code == 503 and "no summariser" in answer.json()["error"]


def test_a_caller_that_leaves_frees_its_work():
    """While one batch runs, a caller who disconnects is answered 499 and its sentences
    never reach the model."""
    import asyncio

    from translate_news.engine import Checked
    from translate_news.server import Batcher, Metrics, Refused

    seen: list[list[str]] = []

    def slow(sentences: list[str]) -> list[Checked]:
        seen.append(list(sentences))
        time.sleep(0.5)
        return [Checked(s.upper()) for s in sentences]

    async def scenario() -> tuple[list[Checked], BaseException]:
        metrics = Metrics()
        batcher = Batcher(slow, ServerLimits(window=0.01), metrics)
        worker = asyncio.create_task(batcher.run())
        await asyncio.sleep(0.01)
        first = asyncio.create_task(batcher.translate(["a", "b"]))
        await asyncio.sleep(0.1)  # the first batch is running
        started = time.monotonic()

        async def gone() -> bool:
            return time.monotonic() - started > 0.1

        try:
            await batcher.translate(["c"], gone)
            left: BaseException = AssertionError("not refused")
        except Refused as exc:
            left = exc
        result = await first
        await asyncio.sleep(0.6)  # a second batch would have started by now
        worker.cancel()
        assert metrics.abandoned == 1
        return result, left

    result, left = asyncio.run(scenario())
    assert [c.text for c in result] == ["A", "B"]
    assert isinstance(left, Refused) and left.status == 499
    assert seen == [["a", "b"]]
