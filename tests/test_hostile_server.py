"""Hostile requests to the server (round two): what reading costs is paid off the event
loop, bodies are bounded however they are sent and however slowly, the char limit counts
what will be translated, and every refusal is one JSON line naming no server path."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import zipfile

import httpx
import pytest

from translate_news import Translator
from translate_news.server.limits import ServerLimits

from .conftest import make_test_models
from .test_server import running

PAIRS = make_test_models.toy_article_pairs()


@pytest.fixture(scope="module")
def translator(test_models, tmp_path_factory):
    memory = tmp_path_factory.mktemp("memory") / "memory.sqlite"
    return Translator(str(test_models / "marian-toy"), memory_path=str(memory), device="cpu")


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _empty_paragraphs(count: int) -> bytes:
    """A small Word file that unpacks to ``count`` empty paragraphs."""
    source = zipfile.ZipFile(io.BytesIO(_docx(["x"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * count, 1)
            target.writestr(item, data)
    return out.getvalue()


def _upload(url: str, name: str, body: bytes, **kwargs) -> httpx.Response:
    return httpx.post(
        f"{url}/translate_file", files={"file": (name, body)}, data={"source": "fr"}, **kwargs
    )


def test_reading_a_slow_document_does_not_stall_other_requests(translator):
    heavy = _empty_paragraphs(400_000)
    assert len(heavy) < 200_000  # small on the wire, slow to parse
    with running(translator) as (url, _):
        answer: list[httpx.Response] = []
        upload = threading.Thread(
            target=lambda: answer.append(_upload(url, "a.docx", heavy, timeout=120))
        )
        upload.start()
        time.sleep(0.5)  # the upload is being read
        health = httpx.get(f"{url}/health", timeout=60)
        still_reading = upload.is_alive()
        upload.join()
    assert health.status_code == 200 and still_reading  # answered while the file was read
    assert answer[0].status_code == 200  # and the one paragraph with text was translated


def test_the_char_limit_counts_the_text_a_document_holds(translator):
    limits = ServerLimits(char_limit=300)
    long_text = _docx([PAIRS[0][0]] * 20)  # about 500 characters, 36 KB on the wire
    short_text = _docx([PAIRS[0][0]])
    assert len(short_text) > 300  # its bytes are over the limit, its text is not
    with running(translator, limits) as (url, _):
        refused = _upload(url, "long.docx", long_text)
        assert refused.status_code == 400 and "exceeds text limit (300)" in refused.json()["error"]
        served = _upload(url, "short.docx", short_text)
        assert served.status_code == 200, served.text
        import docx

        download = httpx.get(served.json()["translatedFileUrl"]).content
        document = docx.Document(io.BytesIO(download))
        assert document.paragraphs[0].text == PAIRS[0][1]  # Word back, in English


def test_a_body_sent_too_slowly_is_dropped(translator):
    with running(translator, ServerLimits(read_timeout=1.0)) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
            raw.sendall(
                b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 400\r\n\r\n{"
            )
            for _ in range(3):  # a byte now and then, never the whole body
                time.sleep(0.6)
                raw.sendall(b" ")
            reply = raw.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 408") and "longer than 1 s" in reply


@pytest.mark.parametrize(
    "content, kind, status, words",
    [
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "not valid JSON"),
        ('{"q": "x", "api_key": {"k": 1}}', "application/json", 400, "api_key must be a string"),
        ("q=x", "multipart/form-data", 400, "boundary"),  # Starlette's own refusal
        ('{"q": ["a"] }', "application/json; charset=latin-9", 200, None),
    ],
)
def test_odd_bodies_are_one_json_line(translator, content, kind, status, words):
    with running(translator) as (url, _):
        answer = httpx.post(
            f"{url}/translate", content=content.encode(), headers={"content-type": kind}
        )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    if words:
        assert set(answer.json()) == {"error"} and words in answer.json()["error"]


def test_a_damaged_word_file_is_400_and_names_no_server_path(translator):
    good = _docx([PAIRS[0][0]])
    cases = {
        "not-a-zip.docx": b"PK\x03\x04 this is not a zip",
        "cut.docx": good[: len(good) // 2],
        "bad-xml.docx": _replace_member(good, "word/document.xml", b"<w:document><unclosed>"),
    }
    with running(translator) as (url, _):
        for name, body in cases.items():
            answer = _upload(url, name, body)
            assert answer.status_code == 400, (name, answer.text)
            error = answer.json()["error"]
            assert name in error and "Word" in error
            assert "/tmp" not in error and "translate-news-" not in error and "\n" not in error
        many = httpx.post(f"{url}/translate", json={"q": ["a"] * 1001})
        assert many.status_code == 400 and "exceeds text limit (1000)" in many.json()["error"]


def _replace_member(docx: bytes, name: str, data: bytes) -> bytes:
    """The Word file with its member ``name`` replaced by (or added as) ``data``."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        target.writestr(name, data)
    return out.getvalue()


def test_a_word_zip_bomb_is_refused_by_its_unpacked_size(translator):
    with running(translator, ServerLimits()) as (url, _):
        # The server reads uploads with the CLI's reader and its 50 MB input limit: a file
        # that unpacks to more is refused before it is parsed.
        big = _replace_member(_docx(["x"]), "word/media/fill.bin", b"\0" * 101_000_000)
        assert len(big) < 2_000_000
        answer = _upload(url, "bomb.docx", big)
        assert answer.status_code == 400
        assert re.search(r"unpacks to 10\d MB, over the 50 MB input limit", answer.json()["error"])
        assert httpx.get(f"{url}/health").json()["status"] == "ok"
