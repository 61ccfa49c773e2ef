"""LibreTranslate's endpoints, as its ``app.py`` answers them: ``/translate``,
``/languages``, ``/detect``, ``/frontend/settings``, ``/suggest``, ``/translate_file`` and
``/download_file/...``."""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from translate_news.formats.readers import SUFFIXES
from translate_news.server import requests
from translate_news.server.limits import Refused
from translate_news.server.requests import SuggestRequest, TranslateRequest
from translate_news.server.service import Service, current_service
from translate_news.text.language import confidences, foreign_language

router = APIRouter()
ServiceDep = Annotated[Service, Depends(current_service)]

LANGUAGES = [
    {"code": "en", "name": "English", "targets": []},
    {"code": "fr", "name": "French", "targets": ["en"]},
]


@router.post("/translate", summary="Translate text (LibreTranslate-compatible)")
async def translate(request: Request, service: ServiceDep) -> Any:
    data = await service.admitted(request)
    asked = TranslateRequest.read(data)
    texts = asked.texts
    service.check_size(texts)
    detected = []
    if asked.source == "auto":
        detected = await asyncio.to_thread(lambda: [detect_source(t) for t in texts])
    foreign = [d["language"] for d in detected if d["language"] != "fr"]
    if foreign:
        raise Refused(400, f"{foreign[0]} (detected) is not supported: fr to en only")
    plans = await service.plan(texts, asked.fmt)
    others: list[list[str]] = [[] for _ in texts]
    if asked.alternatives and asked.fmt == "text":  # as LibreTranslate: none for html
        english, others = await service.with_alternatives(plans, asked.alternatives)
    else:
        english = await service.translate(plans, request.is_disconnected)
    one = asked.one
    answer: dict[str, Any] = {"translatedText": english[0] if one else english}
    if detected:
        answer["detectedLanguage"] = detected[0] if one else detected
    if asked.alternatives:
        answer["alternatives"] = others[0] if one else others
    return answer


@router.get("/languages", summary="Supported languages (LibreTranslate-compatible)")
async def languages() -> list[dict[str, Any]]:
    return LANGUAGES


@router.post("/detect", summary="Detect the language (LibreTranslate-compatible)")
async def detect_language(request: Request, service: ServiceDep) -> list[dict[str, Any]]:
    data = await service.admitted(request)
    q = data.get("q")
    if not isinstance(q, str) or not q:
        raise Refused(400, "Invalid request: missing q parameter")
    service.check_size([q])
    return await asyncio.to_thread(detect, q)


@router.get("/frontend/settings", summary="What a client needs to know (LibreTranslate's)")
async def frontend_settings(service: ServiceDep) -> dict[str, Any]:
    limits = service.limits
    return {
        "charLimit": limits.char_limit,
        "frontendTimeout": 500,
        "apiKeys": bool(limits.api_keys),
        "keyRequired": service.key_required(),
        "suggestions": limits.suggestions,
        "filesTranslation": True,
        "supportedFilesFormat": list(SUFFIXES),
        "language": {
            "source": {"code": "fr", "name": "French"},
            "target": {"code": "en", "name": "English"},
        },
    }


@router.post("/suggest", summary="An editor's translation, kept in the memory")
async def suggest(request: Request, service: ServiceDep) -> Any:
    if not service.limits.suggestions:
        raise Refused(403, "Suggestions are disabled on this server.")
    asked = SuggestRequest.read(await service.admitted(request))
    service.check_size([asked.source, asked.suggestion])
    await service.suggest(asked.source, asked.suggestion)
    return {"success": True}


@router.post("/translate_file", summary="Translate a file (LibreTranslate-compatible)")
async def translate_file(request: Request, service: ServiceDep) -> Any:
    await requests.body(request, service.limits)
    try:
        form = await request.form()
    except (ValueError, UnicodeDecodeError, AssertionError):
        raise Refused(400, "Invalid request: send the file as multipart/form-data") from None
    data = {**requests.form_fields(request.query_params), **requests.form_fields(form)}
    service.admit_request(request, data)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Refused(400, "Invalid request: missing file parameter")
    if not upload.filename:
        raise Refused(400, "Invalid request: empty file")
    requests.fr_en_only(data, "auto")
    kept = await service.translate_file(upload.filename, await upload.read())
    return {"translatedFileUrl": str(request.url_for("download_file", name=kept))}


@router.get("/download_file/{name}", summary="A translated file", name="download_file")
async def download_file(name: str, service: ServiceDep) -> Any:
    found = service.files.get(name)
    if found is None:
        raise Refused(404, "no such translated file (files are kept for a while only)")
    media, content, download = found
    return Response(content, media_type=media, headers=_attachment(download))


def detect(text: str) -> list[dict[str, Any]]:
    """LibreTranslate's detection records, most likely first (at most 3): lingua's
    confidences over the candidate languages, from 0 to 100; ``en`` at 0 when there is
    nothing to tell by, as LibreTranslate answers."""
    found = confidences(text) if text.strip() else []
    if not found:
        return [{"confidence": 0.0, "language": "en"}]
    return [{"confidence": round(100 * value, 1), "language": code} for code, value in found[:3]]


def detect_source(text: str) -> dict[str, Any]:
    """``detectedLanguage`` for ``source=auto``: French unless the text is confidently
    another language (five words or more, as for articles), with lingua's confidence."""
    foreign = foreign_language(text) if text.strip() else None
    found = dict(confidences(text)) if text.strip() else {}
    language = foreign or "fr"
    return {"confidence": round(100 * found.get(language, 0.0), 1), "language": language}


def _attachment(name: str) -> dict[str, str]:
    """A Content-Disposition that gives the download its name, in ASCII and in UTF-8."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    quoted = urllib.parse.quote(name, safe="")
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    }
