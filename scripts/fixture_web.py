"""A loopback web of French news for the fetch tests and benchmark: feeds (RSS 2.0,
Atom, one with bad XML, one with an XML external entity, a redirect loop, a slow one,
one that answers 304 to a conditional request), pages (real-looking articles, a
paywall stub, a 40 MB page, a page in English, wire copies of one dispatch) and a
robots.txt. It listens on a loopback address only; nothing here reaches out.

    server = FixtureWeb()          # 127.0.0.1, a free port
    server.base                    # http://127.0.0.1:PORT
    server.close()
"""

from __future__ import annotations

import email.utils
import http.server
import itertools
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

SUBJECTS = ["le chat", "le chien", "la ministre", "le président", "la ville", "le gouvernement",
            "la police", "le maire", "la presse", "le journaliste"]  # fmt: skip
VERBS = ["mange", "regarde", "aime", "attend", "refuse", "annonce", "défend", "prépare"]
OBJECTS = ["la pomme", "le pain", "la réforme", "le budget", "la décision", "le rapport",
           "la rencontre", "le projet"]  # fmt: skip
TIMES = ["", " mardi", " lundi", " aujourd'hui"]
ALL_SENTENCES = [
    f"{s[0].upper()}{s[1:]} {v} {o}{t}."
    for s, v, o, t in itertools.product(SUBJECTS, VERBS, OBJECTS, TIMES)
]
ROBOTS = "User-agent: *\nDisallow: /private/\n"
ENGLISH = (
    "The government announced on Tuesday that the budget would be presented to parliament "
    "next week. Ministers said the plan would protect public services while reducing the "
    "deficit. Opposition leaders criticised the proposal, calling it unfair to families. "
    "The debate is expected to last several days, and a vote is planned for the end of the month."
)
PAYWALL = (
    "Le gouvernement refuse la réforme. La ministre défend la décision aujourd'hui.\n"
    "Il vous reste 85 % de cet article à lire. La suite est réservée aux abonnés."
)


def sentences(seed: int, count: int) -> list[str]:
    """``count`` distinct toy-vocabulary French sentences, the same for the same seed."""
    return random.Random(seed).sample(ALL_SENTENCES, count)


def article_page(title: str, paragraphs: Iterable[str], *, date: str, url: str, author: str) -> str:
    """A news page as outlets write them: navigation, the article, related links, a footer."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{escape(title)} | Le Quotidien</title>
<link rel="canonical" href="{escape(url)}">
<meta name="author" content="{escape(author)}">
<meta property="article:published_time" content="{date}T08:00:00+02:00">
<meta property="og:title" content="{escape(title)}"></head>
<body><header><nav><a href="/">Accueil</a> <a href="/politique">Politique</a>
<a href="/monde">International</a></nav></header>
<main><article><h1>{escape(title)}</h1>
<p class="byline">Par {escape(author)}, publié le {date}</p>
{body}
</article>
<aside><h2>Sur le même sujet</h2><ul><li><a href="/a">Autre article</a></li></ul></aside></main>
<footer><p>© Le Quotidien. Tous droits réservés.</p></footer></body></html>
"""


def rss(title: str, items: Iterable[tuple[str, str, str, str]]) -> str:
    """RSS 2.0 of (title, link, RFC 822 date, summary) items."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>{d}</pubDate><description>{escape(s)}</description></item>"
        for t, link, d, s in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
        f"<description>Fil</description>{entries}</channel></rss>"
    )


def atom(title: str, items: Iterable[tuple[str, str, str, str]]) -> str:
    """Atom of (title, link, ISO date, summary) items."""
    entries = "".join(
        f'<entry><title>{escape(t)}</title><link href="{escape(link)}"/><id>{escape(link)}</id>'
        f"<updated>{d}</updated><summary>{escape(s)}</summary></entry>"
        for t, link, d, s in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:fixture</id><updated>2025-07-15T10:00:00Z</updated>"
        f"{entries}</feed>"
    )


def rfc822(day: str, hour: int = 9) -> str:
    """``2025-07-14`` as an RSS date: ``Mon, 14 Jul 2025 09:00:00 +0000``."""
    return email.utils.format_datetime(datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00"))


Handler = Callable[[dict[str, str]], tuple[int, dict[str, str], bytes | Iterable[bytes]]]


@dataclass
class Site:
    """What one fixture web serves: path → handler, and the requests it got (client
    address, path, headers, when)."""

    routes: dict[str, Handler] = field(default_factory=dict)
    log: list[tuple[str, str, dict[str, str], float]] = field(default_factory=list)

    def page(self, path: str, text: str, content_type: str = "text/html; charset=utf-8") -> None:
        body = text.encode("utf-8")
        self.routes[path] = lambda headers: (200, {"Content-Type": content_type}, body)


class FixtureWeb:
    """A threaded HTTP server on ``host`` (a loopback address) serving ``site``."""

    def __init__(self, site: Site | None = None, host: str = "127.0.0.1") -> None:
        if not host.startswith("127."):
            raise ValueError("the fixture web listens on loopback addresses only")
        self.site = site or Site()
        site_ref = self.site

        class Handle(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                site_ref.log.append((self.client_address[0], self.path, headers, time.monotonic()))
                handler = site_ref.routes.get(self.path)
                if handler is None:
                    status, extra, body = 404, {"Content-Type": "text/plain"}, b"not found"
                else:
                    status, extra, body = handler(headers)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in body:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((host, 0), Handle)
        self._server.daemon_threads = True
        self.base = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def slow(seconds: float, body: bytes) -> Handler:
    def handle(headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        time.sleep(seconds)
        return 200, {"Content-Type": "application/rss+xml"}, body

    return handle


def huge(megabytes: int) -> Handler:
    """A page of ``megabytes`` MB, sent in pieces without a length (read until closed)."""

    def chunks() -> Iterable[bytes]:
        yield b"<!DOCTYPE html><html><body><article>"
        piece = ("<p>" + " ".join(ALL_SENTENCES[:20]) + "</p>\n").encode("utf-8")
        for _ in range(megabytes * 1_000_000 // len(piece) + 1):
            yield piece

    return lambda headers: (200, {"Content-Type": "text/html; charset=utf-8"}, chunks())


def conditional(body: bytes, etag: str, content_type: str) -> Handler:
    """A feed that answers 304 to a request that names its ETag or date."""
    modified = "Tue, 15 Jul 2025 10:00:00 GMT"

    def handle(headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        validators = {"ETag": etag, "Last-Modified": modified, "Content-Type": content_type}
        if headers.get("if-none-match") == etag or headers.get("if-modified-since") == modified:
            return 304, {"ETag": etag}, b""
        return 200, validators, body

    return handle


def redirect(to: str) -> Handler:
    return lambda headers: (302, {"Location": to, "Content-Length": "0"}, b"")


def news_site(base: str, *, stories: int = 3, seed: int = 0) -> Site:
    """The fixture site (see the module docstring), its addresses under ``base``."""
    site = Site()
    site.page("/robots.txt", ROBOTS, "text/plain")
    items = []
    for n in range(1, stories + 1):
        title = sentences(seed * 100 + n, 1)[0].rstrip(".")
        paragraphs = [" ".join(sentences(seed * 100 + n * 7 + k, 3)) for k in range(4)]
        day = f"2025-07-{10 + n:02d}"
        url = f"{base}/articles/{seed}-{n}.html"
        site.page(
            f"/articles/{seed}-{n}.html",
            article_page(title, paragraphs, date=day, url=url, author="Claire Martin"),
        )
        items.append((title, url, day, paragraphs[0]))
    special = [
        (
            "Le budget est réservé",
            f"{base}/paywall.html",
            "2025-07-14",
            "Le gouvernement refuse la réforme. La presse regarde le rapport.",
        ),
        ("The budget", f"{base}/english.html", "2025-07-14", ENGLISH),
        (
            "Page disparue",
            f"{base}/missing.html",
            "2025-07-14",
            "Le maire annonce le budget mardi. Le chat mange la pomme.",
        ),
        (
            "Page privée",
            f"{base}/private/secret.html",
            "2025-07-14",
            "La police attend la décision.",
        ),
        ("Page immense", f"{base}/huge.html", "2025-07-14", "Le chien regarde le pain lundi."),
        ("Vidéo", f"{base}/video.html", "2025-07-14", "La ville prépare le projet."),
    ]
    site.page(
        "/video.html",
        article_page(
            "Vidéo", ["Regardez la vidéo."], date="2025-07-14", url=f"{base}/video.html", author="V"
        ),
    )
    site.routes["/busy.xml"] = lambda headers: (503, {"Retry-After": "120"}, b"busy")
    site.page(
        "/paywall.html",
        article_page(
            "Le budget est réservé",
            PAYWALL.split("\n"),
            date="2025-07-14",
            url=f"{base}/paywall.html",
            author="X",
        ),
    )
    site.page(
        "/english.html",
        article_page(
            "The budget", [ENGLISH], date="2025-07-14", url=f"{base}/english.html", author="Y"
        ),
    )
    site.page(
        "/private/secret.html",
        article_page(
            "Privé",
            [" ".join(ALL_SENTENCES[:12])],
            date="2025-07-14",
            url=f"{base}/private/secret.html",
            author="Z",
        ),
    )
    site.routes["/huge.html"] = huge(40)
    rss_items = [(t, u, rfc822(d), s) for t, u, d, s in items + special]
    site.page("/rss.xml", rss("Le Quotidien", rss_items), "application/rss+xml")
    atom_items = [(t, u, f"{d}T09:00:00Z", s) for t, u, d, s in items]
    site.page("/atom.xml", atom("Le Quotidien (Atom)", atom_items), "application/atom+xml")
    site.page(
        "/bad.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Fil</title>'
        "<item><title>Cassé</item></channel>",
        "application/rss+xml",
    )
    site.page(
        "/xxe.xml",
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>Fil</title><item><title>&secret;</title>'
        f"<link>{base}/articles/{seed}-1.html</link>"
        "<description>&secret;</description></item></channel></rss>",
        "application/rss+xml",
    )
    site.routes["/loop.xml"] = redirect(f"{base}/loop2.xml")
    site.routes["/loop2.xml"] = redirect(f"{base}/loop.xml")
    site.routes["/slow.xml"] = slow(3.0, rss("Lent", rss_items[:1]).encode())
    site.routes["/etag.xml"] = conditional(
        rss("Fil", rss_items[:1]).encode(), '"v1"', "application/rss+xml"
    )
    return site
