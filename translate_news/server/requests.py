"""Requests as LibreTranslate reads them: fields from the query string, then a JSON or
form body (a field in both: the body's), the body read within its size and time limits
however it is sent; and the request models the routes take, checked field by field."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from translate_news.server.limits import Refused, ServerLimits

ALTERNATIVES_LIMIT = 10  # the most alternatives one request may ask for


async def body(request: Request, limits: ServerLimits) -> bytes:
    """The body, read up to the limit however it is sent (a chunked body has no length
    to refuse it by) and within ``read_timeout`` (a client that trickles it is cut off).
    Read once: Starlette's form and JSON readers take it from the request afterwards."""
    if hasattr(request, "_body"):
        return request._body

    async def read() -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.body_limit:
                raise Refused(413, f"the body is larger than {limits.body_limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        data = await asyncio.wait_for(read(), limits.read_timeout)
    except asyncio.TimeoutError:
        raise Refused(408, f"the body took longer than {limits.read_timeout:g} s") from None
    request._body = data  # Starlette's documented place for a body already read
    return data


async def fields(request: Request, limits: ServerLimits) -> dict[str, Any]:
    """A request's fields: the query string, then a JSON or form body."""
    values: dict[str, Any] = form_fields(request.query_params)
    kind = request.headers.get("content-type", "")
    data = await body(request, limits)
    try:
        if kind.startswith("application/json"):
            parsed = json.loads(data or b"{}")
            if not isinstance(parsed, dict):
                raise Refused(400, "Invalid request: the JSON body must be an object")
            values.update(parsed)
        elif data:
            values.update(form_fields(await request.form()))
    except (ValueError, UnicodeDecodeError, RecursionError, AssertionError):
        raise Refused(400, "Invalid request: the body is not valid JSON or a form") from None
    return values


def form_fields(values: Any) -> dict[str, Any]:
    """A query string's or a form's fields: a field given once as its value, given more
    than once as the list of its values (``q`` as a list)."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys(values.keys()):
        found = values.getlist(key)
        out[key] = found[0] if len(found) == 1 else found
    return out


def code(data: dict[str, Any], name: str, default: str) -> str:
    """A language code or format, as LibreTranslate reads it (any case); the default
    where it is missing or empty (LibreTranslate refuses a missing source or target)."""
    value = data.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise Refused(400, f"Invalid request: {name} must be a string")
    return value.strip().lower()


def fr_to_en(data: dict[str, Any], default_source: str = "auto") -> tuple[str, str]:
    """The request's source and target, refused unless French (or auto) to English."""
    source, target = code(data, "source", default_source), code(data, "target", "en")
    if source not in ("fr", "auto"):
        raise Refused(400, f"{source} is not supported: this server translates fr to en")
    if target != "en":
        raise Refused(400, f"{target} is not supported: this server translates fr to en")
    return source, target


def fr_en_only(data: dict[str, Any], default_source: str) -> None:
    """Refuse a request whose source is not French (or auto) or whose target is not English."""
    if (
        code(data, "source", default_source) not in ("fr", "auto")
        or code(data, "target", "en") != "en"
    ):
        raise Refused(400, "this server translates fr to en only")


def alternatives(value: object) -> int:
    """LibreTranslate's ``alternatives``: a whole number, 0 if missing or negative."""
    if value is None or value == "":
        return 0
    try:
        count = (
            int(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
        )
    except ValueError:
        count = None
    if count is None:
        raise Refused(400, "Invalid request: alternatives parameter is not a number")
    if count > ALTERNATIVES_LIMIT:
        raise Refused(
            400, f"Invalid request: alternatives parameter must be <= {ALTERNATIVES_LIMIT}"
        )
    return max(0, count)


@dataclass(frozen=True)
class TranslateRequest:
    """``POST /translate``: ``q`` one text or a list, ``source`` fr or auto, ``target``
    en, ``format`` text or html, ``alternatives`` how many others."""

    texts: list[str]
    one: bool  # q was a string: the answer holds strings, not lists
    source: str
    fmt: str
    alternatives: int

    @classmethod
    def read(cls, data: dict[str, Any]) -> TranslateRequest:
        q = data.get("q")
        source, target = code(data, "source", "auto"), code(data, "target", "en")
        fmt, count = code(data, "format", "text"), alternatives(data.get("alternatives"))
        if q is None:
            raise Refused(400, "Invalid request: missing q parameter")
        texts = q if isinstance(q, list) else [q]
        if not all(isinstance(t, str) for t in texts):
            raise Refused(400, "Invalid request: q must be a string or a list of strings")
        fr_to_en({"source": source, "target": target})
        if fmt not in ("text", "html"):
            raise Refused(400, f"{fmt} format is not supported (text or html)")
        return cls(texts, not isinstance(q, list), source, fmt, count)


@dataclass(frozen=True)
class SuggestRequest:
    """``POST /suggest``: ``q`` the French, ``s`` an editor's English for it."""

    source: str
    suggestion: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> SuggestRequest:
        for name in ("q", "s", "source", "target"):
            if not data.get(name):
                raise Refused(400, f"Invalid request: missing {name} parameter")
        q, suggestion = data["q"], data["s"]
        if not isinstance(q, str) or not isinstance(suggestion, str):
            raise Refused(400, "Invalid request: q and s must be strings")
        fr_en_only(data, "fr")
        return cls(q, suggestion)


@dataclass(frozen=True)
class BriefRequest:
    """``POST /brief``: ``articles`` a list of article texts, ``format`` md, html or json."""

    texts: list[str]
    fmt: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> BriefRequest:
        texts, fmt = data.get("articles"), data.get("format", "md")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise Refused(400, "Invalid request: articles must be a list of article texts")
        if fmt not in ("md", "html", "json"):
            raise Refused(400, f"Invalid request: format must be md, html or json, not {fmt}")
        return cls(texts, fmt)


def article_text(data: dict[str, Any]) -> str:
    """The ``text`` field of an article request (``/translate_article``, ``/summarize``)."""
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused(400, "Invalid request: give the article as text")
    return text
