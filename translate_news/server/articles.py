"""Our own endpoints over articles: ``/translate_article`` (the CLI's JSON, sentence by
sentence, with flags), ``/summarize`` (with the summary record) and ``/brief``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from translate_news.formats import briefing
from translate_news.formats.output import MEDIA_TYPES, summary_dict
from translate_news.server.requests import BriefRequest, article_text
from translate_news.server.service import Service, current_service

router = APIRouter()
ServiceDep = Annotated[Service, Depends(current_service)]


async def _article(request: Request, service: Service) -> str:
    """The ``text`` of an article request, admitted and within the limits."""
    text = article_text(await service.admitted(request))
    service.check_size([text])
    return text


@router.post("/translate_article", summary="An article in English, sentence by sentence")
async def translate_article(request: Request, service: ServiceDep) -> Any:
    return await service.translate_article(await _article(request, service))


@router.post("/summarize", summary="An article in English with its summary (the CLI's JSON)")
async def summarize(request: Request, service: ServiceDep) -> Any:
    [(english, summary)] = await service.summarize([await _article(request, service)])
    return {"source": english.source, **summary_dict(english, summary)}


@router.post("/brief", summary="A briefing of several articles (md, html or json)")
async def brief(request: Request, service: ServiceDep) -> Any:
    asked = BriefRequest.read(await service.admitted(request))
    service.check_size(asked.texts)
    entries = briefing.entries_of(await service.summarize(asked.texts))
    if asked.fmt == "json":
        return briefing.to_record(entries)
    text = briefing.RENDERERS[f".{asked.fmt}"](entries)
    return Response(text, media_type=f"{MEDIA_TYPES[asked.fmt]}; charset=utf-8")
