"""The HTTP server, against a real uvicorn on loopback started here, with the toy model
and the translator's defaults (the translation memory on, in the test's HOME)."""

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
from translate_news.server.app import create_app
from translate_news.server.limits import ServerLimits

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
def translator(test_models, tmp_path_factory):
    # The defaults, the memory included; its file in a folder of this module's own, since
    # the module's translator outlives each test's HOME.
    memory = tmp_path_factory.mktemp("memory") / "memory.sqlite"
    return Translator(str(test_models / "marian-toy"), memory_path=str(memory), device="cpu")


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
    assert form.json()["translatedText"] == PAIRS[1][1]
    detected = form.json()["detectedLanguage"]
    assert detected["language"] == "fr" and 50 < detected["confidence"] <= 100
    # LibreTranslate reads the query string too, and codes in any case.
    query = httpx.post(
        f"{url}/translate", params={"q": PAIRS[2][0], "source": "FR", "target": "EN"}
    )
    assert query.status_code == 200 and query.json() == {"translatedText": PAIRS[2][1]}
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
        ({"q": "x", "format": "pdf"}, 400, "pdf format is not supported"),
        ({"q": "x", "alternatives": "two"}, 400, "alternatives parameter is not a number"),
        ({"q": "x", "alternatives": 11}, 400, "alternatives parameter must be <= 10"),
        ({"q": "x", "api_key": ["k"]}, 400, "api_key must be a string"),
        ({"q": "x", "target": ["en"]}, 400, "target must be a string"),
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
    found = httpx.post(f"{url}/detect", json={"q": english}).json()
    assert found[0]["language"] == "en" and found[0]["confidence"] > 50
    assert len(found) > 1 and found[0]["confidence"] > found[1]["confidence"]
    french = httpx.post(f"{url}/detect", data={"q": PAIRS[0][0]}).json()
    assert french[0]["language"] == "fr"
    german = httpx.post(f"{url}/detect", params={"q": "Der Hund schläft heute im Garten."}).json()
    assert german[0]["language"] == "de"
    assert httpx.post(f"{url}/detect", json={"q": "12 345 !!"}).json() == [
        {"confidence": 0.0, "language": "en"}
    ]
    assert httpx.get(f"{url}/health").json()["status"] == "ok"
    metrics = httpx.get(f"{url}/metrics").text
    assert 'translate_news_requests_total{path="/translate",status="200"}' in metrics
    assert "translate_news_batch_sentences_bucket" in metrics
    assert "process_resident_memory_bytes" in metrics  # prometheus_client gives these
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
        largest = app.state.service.metrics.largest_batch
    assert [a.json()["translatedText"] for a in answers] == alone
    assert largest > 7  # some batch held more than one caller's sentences


def test_limits(translator):
    limits = ServerLimits(
        char_limit=60, api_keys=frozenset({"k1"}), requests_per_minute=3, queue_limit=3,
        body_limit=500,
    )  # fmt: skip
    with running(translator, limits) as (url, _):
        post = lambda body: httpx.post(f"{url}/translate", json=body)  # noqa: E731
        assert post({"q": PAIRS[0][0], "api_key": "nope"}).status_code == 403
        assert post({"q": PAIRS[0][0], "api_key": "k1"}).status_code == 200
        # Each text is held to the limit, not the whole list.
        assert post({"q": [PAIRS[0][0], PAIRS[1][0]], "api_key": "k1"}).status_code == 200
        too_long = post({"q": "Le chat mange la pomme. " * 3, "api_key": "k1"})
        assert too_long.status_code == 400 and "exceeds text limit (60)" in too_long.json()["error"]
        assert post({"q": PAIRS[0][0], "api_key": "k1"}).status_code == 429  # 3 per minute
        # Without a key: served at the default rate, per address (LibreTranslate's rule).
        assert post({"q": PAIRS[0][0]}).status_code == 200
    with running(translator, ServerLimits(queue_limit=3, body_limit=500)) as (url, _):
        busy = httpx.post(f"{url}/translate", json={"q": [p[0] for p in PAIRS[:4]]})
        assert busy.status_code == 503 and "busy" in busy.json()["error"]
        big = httpx.post(f"{url}/translate", json={"q": "x" * 600})
        assert big.status_code == 413
        chunked = httpx.post(  # no Content-Length to refuse it by
            f"{url}/translate",
            content=iter([b'{"q": "', b"x" * 400, b"x" * 400, b'"}']),
            headers={"content-type": "application/json"},
        )
        assert chunked.status_code == 413 and "larger than 500 bytes" in chunked.json()["error"]


def test_required_keys_and_rates_by_address(translator):
    keyed = ServerLimits(api_keys=frozenset({"k1"}), require_api_key=True)
    with running(translator, keyed) as (url, _):
        refused = httpx.post(f"{url}/translate", json={"q": PAIRS[0][0]})
        assert refused.status_code == 400 and "get an API key" in refused.json()["error"]
        assert httpx.get(f"{url}/frontend/settings").json()["keyRequired"] is True
    by_origin = ServerLimits(
        api_keys=frozenset({"k1"}), require_api_key_origin=r"https://news\.example$"
    )
    with running(translator, by_origin) as (url, _):
        post = lambda origin: httpx.post(  # noqa: E731
            f"{url}/translate", json={"q": PAIRS[0][0]}, headers={"Origin": origin}
        )
        assert post("https://news.example").status_code == 200
        assert post("https://elsewhere.example").status_code == 400
    # Without keys, a made-up api_key does not buy another minute's allowance.
    with running(translator, ServerLimits(requests_per_minute=2)) as (url, _):
        codes = [
            httpx.post(f"{url}/translate", json={"q": PAIRS[0][0], "api_key": f"k{i}"}).status_code
            for i in range(3)
        ]
        assert codes == [200, 200, 429]


def test_cors_as_libretranslate_and_restricted(translator, server):
    url, _ = server
    origin = {"Origin": "https://extension.example"}
    answer = httpx.post(f"{url}/translate", json={"q": PAIRS[0][0]}, headers=origin)
    assert answer.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        f"{url}/translate",
        headers={**origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    error = httpx.post(f"{url}/translate", json={}, headers=origin)  # errors readable too
    assert error.status_code == 400 and error.headers["access-control-allow-origin"] == "*"
    limits = ServerLimits(cors_origins=("https://news.example",))
    with running(translator, limits) as (only, _):
        ours = httpx.post(f"{only}/translate", json={"q": PAIRS[0][0]},
                          headers={"Origin": "https://news.example"})  # fmt: skip
        theirs = httpx.post(f"{only}/translate", json={"q": PAIRS[0][0]}, headers=origin)
        assert ours.headers["access-control-allow-origin"] == "https://news.example"
        assert "access-control-allow-origin" not in theirs.headers


def test_alternatives_come_from_the_models_n_best(server, translator):
    url, _ = server
    source = PAIRS[0][0]
    answer = httpx.post(f"{url}/translate", json={"q": source, "alternatives": 3}).json()
    model = translator.model
    beam = model.generate_nbest(model.encode([source]), translator.output_cap, 4)[0]
    best = list(dict.fromkeys(model.decode(beam)))
    assert answer["translatedText"] == PAIRS[0][1] == best[0]
    assert answer["alternatives"] == [h for h in best[1:] if h != answer["translatedText"]][:3]
    assert answer["alternatives"]  # the toy model has other hypotheses
    many = httpx.post(f"{url}/translate", data={"q": [source, PAIRS[1][0]], "alternatives": "2"})
    assert [len(a) <= 2 for a in many.json()["alternatives"]] == [True, True]
    none = httpx.post(f"{url}/translate", json={"q": source, "alternatives": -1}).json()
    assert "alternatives" not in none
    markup = httpx.post(f"{url}/translate", json={"q": f"<b>{source}</b>", "format": "html",
                                                  "alternatives": 2}).json()  # fmt: skip
    assert markup["alternatives"] == []  # as LibreTranslate: none for html


def test_frontend_settings_and_suggestions(translator, server):
    url, _ = server
    settings_ = httpx.get(f"{url}/frontend/settings").json()
    assert settings_["charLimit"] == 20_000 and settings_["apiKeys"] is False
    assert settings_["keyRequired"] is False and settings_["suggestions"] is False
    assert ".docx" in settings_["supportedFilesFormat"]
    assert settings_["language"]["target"]["code"] == "en"
    off = httpx.post(f"{url}/suggest", data={"q": "a", "s": "b", "source": "fr", "target": "en"})
    assert (
        off.status_code == 403 and off.json()["error"] == "Suggestions are disabled on this server."
    )
    with running(translator, ServerLimits(suggestions=True)) as (on, _):
        assert httpx.get(f"{on}/frontend/settings").json()["suggestions"] is True
        source, corrected = PAIRS[3][0], "An editor's own English for this sentence."
        assert (
            httpx.post(f"{on}/translate", json={"q": source}).json()["translatedText"]
            == PAIRS[3][1]
        )
        sent = httpx.post(
            f"{on}/suggest", data={"q": source, "s": corrected, "source": "fr", "target": "en"}
        )
        assert sent.status_code == 200 and sent.json() == {"success": True}
        assert (
            httpx.post(f"{on}/translate", json={"q": source}).json()["translatedText"] == corrected
        )
        missing = httpx.post(f"{on}/suggest", json={"q": source, "source": "fr", "target": "en"})
        assert missing.status_code == 400 and "missing s parameter" in missing.json()["error"]
        two = httpx.post(f"{on}/suggest", json={"q": f"{PAIRS[0][0]} {PAIRS[1][0]}", "s": "One.",
                                                "source": "fr", "target": "en"})  # fmt: skip
        assert two.status_code == 400 and "one sentence at a time" in two.json()["error"]


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
    assert link.startswith(f"{url}/download_file/") and link.endswith(".dépêche.txt")
    downloaded = httpx.get(link)
    assert downloaded.headers["content-type"].startswith("text/plain")
    disposition = downloaded.headers["content-disposition"]  # the upload's own name
    assert (
        disposition.startswith("attachment;")
        and "filename*=UTF-8''d%C3%A9p%C3%AAche.txt" in disposition
    )
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

    from translate_news.pipeline.translator import Checked
    from translate_news.server.limits import Refused
    from translate_news.server.metrics import Metrics
    from translate_news.server.service import Batcher

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
        assert metrics.value("translate_news_abandoned_total") == 1
        return result, left

    result, left = asyncio.run(scenario())
    assert [c.text for c in result] == ["A", "B"]
    assert isinstance(left, Refused) and left.status == 499
    assert seen == [["a", "b"]]


def test_a_fault_of_the_servers_own_is_5xx_names_no_path_and_health_says_so(toy_model, tmp_path):
    """The memory's file replaced by a damaged one while the server runs: the next
    connection to it (the worker's first) fails, as a disk or a stray process would."""
    memory = tmp_path / "secret-folder" / "memory.sqlite"
    translator = Translator(str(toy_model), memory_path=str(memory), device="cpu")
    with running(translator) as (url, _):
        for companion in memory.parent.glob("memory.sqlite*"):
            companion.unlink()
        memory.write_bytes(b"not a database" * 100)
        answer = httpx.post(f"{url}/translate", json={"q": PAIRS[0][0]})
        assert answer.status_code == 503, answer.text
        error = answer.json()["error"]
        assert "translation memory" in error and "secret-folder" not in error and "/" not in error
        health = httpx.get(f"{url}/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded" and "memory" in health.json()["reason"]
        assert "secret-folder" not in health.text


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_page_shades_the_words_the_model_was_unsure_of(test_models, tmp_path):
    """The numbers model is unsure of some words of these sentences: in Chromium, the
    page shows each as a shaded span with its confidence, and the legend."""
    numbers = Translator(str(test_models / "marian-numbers"), device="cpu",
                         memory_path=str(tmp_path / "memory.sqlite"))  # fmt: skip
    french = [fr for fr, _ in make_test_models.numbers_corpus(40, seed=99)][:12]
    weak = [
        w for checked in numbers.translate_checked(french) for i, (w, _) in
        enumerate(checked.confidence.words) if i in checked.confidence.weak()
    ]  # fmt: skip
    assert weak
    with running(numbers) as (url, _):
        text = urllib.parse.quote(" ".join(french))
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--virtual-time-budget=20000", "--dump-dom", f"{url}/?text={text}"],
            capture_output=True, text=True, timeout=120,
        ).stdout  # fmt: skip
    assert dom.count('<span class="weak" title="model confidence') == len(weak), dom[-3000:]
    assert '<span class="sr"> (low confidence: ' in dom
    assert '<p id="legend">' in dom  # shown: no longer hidden
