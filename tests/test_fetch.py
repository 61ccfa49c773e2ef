"""translate-news fetch against a loopback web of fixture feeds and pages (see
scripts/fixture_web.py): every failure one line with its address, the rest fetched,
politely, once. No test here reaches past the loopback interface: name lookups of any
other host fail as a missing host would."""

import itertools
import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import _load_script
from translate_news import __version__
from translate_news.cli import app
from translate_news.core.errors import InputError, UsageError
from translate_news.formats.feeds import parse_feed, parse_sources
from translate_news.formats.readers import read_articles

fixture_web = _load_script("fixture_web")
runner = CliRunner()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any host name but loopback ones fails to resolve, as an unknown host does; an
    address outside 127.0.0.0/8 is refused before any packet leaves."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("localhost",) and not name.startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def web():
    server = fixture_web.FixtureWeb()
    server.site.routes.update(fixture_web.news_site(server.base).routes)
    yield server
    server.close()


def sources_file(tmp_path: Path, base: str, *paths: str, top: str = "") -> Path:
    feeds = "".join(f'[[feed]]\nname = "Feed {p}"\nurl = "{base}{p}"\n\n' for p in paths)
    path = tmp_path / "sources.toml"
    path.write_text(top + "\n" + feeds, encoding="utf-8")
    return path


def fetch(*args: str):
    return runner.invoke(app, ["fetch", *args])


def written(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.rglob("*.json"))}


def test_fetch_with_its_defaults_as_readme_shows_it(tmp_path, web, monkeypatch):
    """`translate-news fetch sources.toml -o articles/` as README shows it: delay,
    robots.txt, the User-Agent and the state all as they are by default."""
    monkeypatch.chdir(tmp_path)
    sources_file(tmp_path, web.base, "/rss.xml", "/etag.xml")
    first = fetch("sources.toml", "-o", "articles/")
    assert first.exit_code == 1, first.output  # some items failed; the rest were fetched
    folder = tmp_path / "articles" / "feed-rss-xml"
    files = written(folder)
    pages = {f["url"]: f for f in files.values()}
    real = [f for f in files.values() if f["from"] == "page"]
    assert len(real) == 3 and all(f["author"] == "Claire Martin" for f in real)
    assert all(f["outlet"] == "Feed /rss.xml" for f in files.values())
    # What could not be fetched keeps the feed's summary and says why.
    missing = pages[f"{web.base}/missing.html"]
    assert missing["from"] == "feed summary" and "HTTP 404" in missing["note"]
    assert missing["text"] == "Le maire annonce le budget mardi. Le chat mange la pomme."
    assert pages[f"{web.base}/paywall.html"]["from"] == "feed summary"
    assert f"{web.base}/english.html" not in pages  # not French: not written
    errors = [line for line in first.stderr.splitlines() if line.startswith("translate-news")]
    assert all(web.base in line for line in errors), errors
    assert any("robots.txt" in line and "/private/" in line for line in errors)
    assert any("over the 10 MB limit" in line for line in errors)
    assert any("/video.html: not an article" in line for line in errors)
    assert pages[f"{web.base}/video.html"]["from"] == "feed summary"
    # Polite: robots.txt once, the private page never asked for, one host a second apart.
    paths = [entry[1] for entry in web.site.log]
    assert paths.count("/robots.txt") == 1 and "/private/secret.html" not in paths
    times = [entry[3] for entry in web.site.log]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.95
    agents = {entry[2]["user-agent"] for entry in web.site.log}
    assert agents == {
        f"translate-news/{__version__} (+https://github.com/translate-news/translate-news)"
    }
    # The articles are what summarize reads.
    article = next(
        iter(read_articles(folder / next(n for n, f in files.items() if f["from"] == "page")))
    )
    assert article.origin.author == "Claire Martin" and article.record is None
    assert len(article.paragraphs) == 4

    # An hour later: the feeds asked only for what changed, nothing fetched twice.
    web.site.log.clear()
    again = fetch("sources.toml", "-o", "articles/")
    assert "known" in again.stderr and written(folder) == files
    etag = [e for e in web.site.log if e[1] == "/etag.xml"]
    assert etag and etag[0][2].get("if-none-match") == '"v1"'
    assert {e[1] for e in web.site.log} <= {"/rss.xml", "/etag.xml", "/robots.txt"}
    assert " ".join(again.stderr.split()).count("unchanged 1") == 1


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/bad.xml", "not a well-formed feed"),
        ("/xxe.xml", "the feed declares XML entities; refused unread"),
        ("/loop.xml", "redirects in a loop"),
        ("/slow.xml", "no answer within 1 s"),
        ("/nothing.xml", "HTTP 404 Not Found"),
        ("/busy.xml", "HTTP 503 Service Unavailable"),
        ("/articles/0-1.html", "not an RSS or Atom feed (a web page)"),
    ],
)
def test_a_feed_that_fails_is_one_line_and_the_others_go_on(tmp_path, web, path, said):
    src = sources_file(tmp_path, web.base, path, "/atom.xml", top="delay = 0")
    result = fetch(str(src), "-o", str(tmp_path / "out"), "--timeout", "1")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"translate-news: error: {web.base}{path}: {said}")
    assert len(written(tmp_path / "out" / "feed-atom-xml")) == 3  # Atom read, and fetched
    assert "/etc/passwd" not in json.dumps(written(tmp_path / "out"))


def test_a_host_that_does_not_resolve_is_one_line(tmp_path, web):
    src = sources_file(tmp_path, "http://news.example", "/rss.xml", top="delay = 0")
    result = fetch(str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert (
        "http://news.example/rss.xml: cannot connect (the host name does not resolve)"
        in result.stderr
    )


def test_since_limit_and_per_source_options(tmp_path, web):
    top = "delay = 0"
    src = tmp_path / "s.toml"
    src.write_text(
        f'{top}\n[[feed]]\nname = "A"\nurl = "{web.base}/atom.xml"\nlimit = 1\n'
        f'[[feed]]\nname = "R"\nurl = "{web.base}/rss.xml"\npages = false\n',
        encoding="utf-8",
    )
    result = fetch(str(src), "-o", str(tmp_path / "out"), "--since", "2025-07-13")
    got = written(tmp_path / "out")
    assert len([n for n in got if n.startswith("2025-07-13")]) == 1
    assert all(f["date"] >= "2025-07-13" for f in got.values())
    # pages = false: the feed's summaries, no page asked for.
    assert all(f["from"] == "feed summary" for f in written(tmp_path / "out" / "r").values())
    assert not any(e[1].startswith("/articles/") and "R" in e[1] for e in web.site.log)
    assert result.exit_code == 0, result.output
    limited = fetch(str(src), "-o", str(tmp_path / "lim"), "--limit", "2")
    assert len(written(tmp_path / "lim")) == 2 and limited.exit_code == 0


def test_the_same_article_at_two_addresses_is_written_once(tmp_path, web):
    """Two feeds list one article, once by its address and once through a redirect:
    the canonical address and the text's hash tell it is the same."""
    web.site.routes["/short/1"] = fixture_web.redirect(f"{web.base}/articles/0-1.html")
    items = [("Titre", f"{web.base}/short/1", fixture_web.rfc822("2025-07-11"), "Résumé.")]
    web.site.page("/other.xml", fixture_web.rss("Autre", items), "application/rss+xml")
    src = sources_file(tmp_path, web.base, "/atom.xml", "/other.xml", top="delay = 0")
    result = fetch(str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert len(written(tmp_path / "out")) == 3


def test_a_page_source_is_fetched_as_one_article(tmp_path, web):
    src = tmp_path / "s.toml"
    src.write_text(f'delay = 0\n[[page]]\nname = "Élysée"\nurl = "{web.base}/articles/0-2.html"\n')
    assert fetch(str(src), "-o", str(tmp_path / "out")).exit_code == 0
    (only,) = written(tmp_path / "out" / "elysee").values()
    assert only["outlet"] == "Élysée" and only["from"] == "page"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[[feed]]\nname = "A"\nurl = "ftp://x/y"', "is not an http(s) address"),
        ('[[feed]]\nname = "A"\nurl = "http://x/"\ncolour = 1', "unknown key 'colour'"),
        (
            '[[feed]]\nname = "A"\nurl = "http://x/"\n[[page]]\nname = "a"\nurl = "http://y/"',
            "two sources are named",
        ),
        ("delay = 0", "names no source"),
        ("feeds = []", "unknown setting 'feeds'"),
        ('[[feed]]\nname = "A"\nurl = "http://x/"\nlimit = 0', "limit must be a whole number"),
        ('[[feed]]\nname = "A"\nurl = "http://x/"\ndelay = -1', "delay must be a number"),
        ('[[feed]]\nurl = "http://x/"', "needs a name"),
        ("[[feed]\n", "not valid TOML"),
    ],
)
def test_a_bad_sources_file_is_one_line(tmp_path, text, said):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    result = fetch(str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_feeds_read_as_feedparser_reads_them():
    rss = fixture_web.rss(
        "F",
        [
            (
                "T",
                "http://a.example/1",
                fixture_web.rfc822("2025-07-14"),
                "<p>Un &amp; deux</p><p>Trois</p>",
            )
        ],
    )
    (item,) = parse_feed(rss.encode(), "http://a.example/rss")
    assert item.date == "2025-07-14T09:00:00Z" and item.summary == "Un & deux\n\nTrois"
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        parse_feed(b"just text", "http://a.example/x")
    billion = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><rss/>'
    with pytest.raises(InputError, match="entities"):
        parse_feed(billion, "http://a.example/x")
    with pytest.raises(UsageError, match="needs a url"):
        parse_sources({"feed": [{"name": "x"}]}, "s.toml")


def test_brief_from_sources_with_its_defaults_as_readme_shows_it(
    tmp_path, web, toy_model, isolated_env
):
    """`translate-news brief sources.toml -o briefing.html` in its own process, every
    default (memory on at its default path, the polite delay), the models named as a
    user names them. Run again, it fetches and translates only what is new."""
    import os
    import subprocess
    import sys

    env = os.environ | {
        "TRANSLATE_NEWS_MODEL": str(toy_model),
        "TRANSLATE_NEWS_SUMMARIZER": "lead",
    }
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[feed]]\nname = "Le Quotidien"\nurl = "{web.base}/atom.xml"\n', "utf-8")
    script = Path(sys.executable).with_name("translate-news")

    def run():
        command = [str(script), "brief", "sources.toml", "-o", "briefing.html"]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)

    first = run()
    assert first.returncode == 0, first.stderr
    assert "translated 3 new" in first.stderr and "wrote briefing.html (3 articles)" in first.stderr
    page = (tmp_path / "briefing.html").read_text("utf-8")
    assert page.count("<article>") == 3 and "Ran in" not in page
    assert page.count('Full translation</a> · <a href="http://127.0.0.1') == 3  # the originals
    english = [p for p in (tmp_path / "briefing-sources" / "summaries").rglob("*.en.md")]
    assert len(english) == 3 and all(" the " in p.read_text("utf-8").lower() for p in english)
    memories = list((isolated_env / "home").rglob("*.sqlite*"))
    assert any("memory" in str(p) for p in memories), memories  # the memory, where it lives

    # An hour later, one new item in the feed: only it is fetched and translated.
    extra = (
        "Le maire annonce le budget",
        f"{web.base}/articles/0-9.html",
        "2025-07-20T09:00:00Z",
        "",
    )
    web.site.page(
        "/articles/0-9.html",
        fixture_web.article_page(
            "Le maire annonce le budget",
            [" ".join(fixture_web.sentences(90 + k, 3)) for k in range(3)],
            date="2025-07-20",
            url=extra[1],
            author="Claire Martin",
        ),
    )
    items = [
        (t, f"{web.base}/articles/0-{n}.html", f"2025-07-{10 + n}T09:00:00Z", "")
        for n, t in enumerate(["a", "b", "c"], 1)
    ]
    web.site.page(
        "/atom.xml", fixture_web.atom("Le Quotidien", [*items, extra]), "application/atom+xml"
    )
    web.site.log.clear()
    second = run()
    assert second.returncode == 0, second.stderr
    assert "translated 1 new (3 done before" in second.stderr
    assert [e[1] for e in web.site.log if e[1].startswith("/articles/")] == ["/articles/0-9.html"]
    assert (tmp_path / "briefing.html").read_text("utf-8").count("<article>") == 4


def test_the_sources_file_readme_shows_is_read_as_it_says():
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    block = re.search(r"```toml\n(# sources.toml\n.*?)```", readme, re.DOTALL).group(1)
    from translate_news.core.files import parse_toml

    sources = parse_sources(parse_toml(block, Path("sources.toml")), "sources.toml")
    assert [s.kind for s in sources] == ["feed", "feed", "page"]
    assert sources[0].limit == 20 and sources[1].limit is None
    assert all(s.delay == 1.0 for s in sources) and sources[2].name == "Élysée"


def test_a_feed_cut_short_by_a_limit_is_read_again_for_the_rest(tmp_path, web):
    """Its ETag is kept only once every new item was taken: else the next run's 304
    would hide the items the limit left."""
    items = [
        (f"Titre {n}", f"{web.base}/articles/0-{n}.html", fixture_web.rfc822("2025-07-14"), "")
        for n in (1, 2, 3)
    ]
    feed = fixture_web.rss("Fil", [*items, items[0]]).encode()  # one item listed twice
    web.site.routes["/three.xml"] = fixture_web.conditional(feed, '"v3"', "application/rss+xml")
    src = sources_file(tmp_path, web.base, "/three.xml", top="delay = 0")
    counts = []
    for _ in range(4):
        assert fetch(str(src), "-o", str(tmp_path / "out"), "--limit", "2").exit_code == 0
        counts.append(len(written(tmp_path / "out")))
    assert counts == [2, 3, 3, 3]
    asked = [e[2].get("if-none-match") for e in web.site.log if e[1] == "/three.xml"]
    assert asked == [None, None, '"v3"', '"v3"']
