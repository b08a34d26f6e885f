"""The boards' audio: the chime and each call's sentence, as WAV, for any token.

Made here, not on each board, so the Qt boards, browsers and smart TVs (which
have no espeak-ng) all say the same words in the same voice.
"""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from queue_core.spoken import call_sentence
from queue_server.rate import RateBudget
from queue_server.routes.deps import Caller, Queue, app_state
from queue_server.voice import SPEECH_RATE, Voice, VoiceBusy, VoiceRationed, VoiceUnavailable

router = APIRouter(tags=["voice"])

WAV = "audio/wav"
_CACHE = {"Cache-Control": "private, max-age=86400"}


def _voice(request: Request) -> Voice:
    # Built on first use, on the event loop (no race), next to the data it caches.
    voice: Voice | None = getattr(request.app.state, "voice", None)
    if voice is None:
        settings = app_state(request).settings
        voice = Voice.for_data_dir(
            settings.data_dir,
            cache_max_bytes=settings.voice_cache_max_mb * 1024 * 1024,
            syntheses=settings.voice_syntheses,
        )
        request.app.state.voice = voice
    return voice


def _syntheses(request: Request) -> RateBudget:
    """New sentences each token may have synthesised: a burst, then a steady rate."""
    budget: RateBudget | None = getattr(request.app.state, "voice_budget", None)
    if budget is None:
        settings = app_state(request).settings
        budget = RateBudget(settings.voice_burst, settings.voice_interval_s, max_wait_s=0)
        request.app.state.voice_budget = budget
    return budget


@router.get(
    "/api/voice/chime.wav",
    response_class=Response,
    responses={200: {"content": {WAV: {}}}},
    summary="The chime played before every call",
)
async def chime(request: Request, _: Caller) -> Response:
    return Response(await run_in_threadpool(_voice(request).chime), media_type=WAV, headers=_CACHE)


@router.get(
    "/api/voice/call.wav",
    response_class=Response,
    responses={
        200: {"content": {WAV: {}}},
        404: {"description": "No voice on this server"},
        429: {"description": "Too many new sentences for this token: retry after Retry-After"},
        503: {"description": "Speech synthesis busy: retry after Retry-After"},
    },
    summary="The sentence that calls NUMBER to COUNTER, spoken once",
)
async def call(
    request: Request,
    queue: Queue,
    who: Caller,
    number: Annotated[str, Query(pattern=r"^[A-Za-z0-9]{1,16}$", examples=["1005"])],
    counter: Annotated[int, Query(ge=1, le=999, examples=[3])],
    rate: Annotated[float, Query(ge=0.5, le=1.5, description="1 is normal speed.")] = SPEECH_RATE,
) -> Response:
    if counter not in {c.number for c in queue.site.counters}:
        raise HTTPException(status_code=404, detail=f"Không có quầy số {counter}")
    site = queue.site
    try:
        text = call_sentence(number, counter, site.site.call_phrase, site.display.reading)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    voice, rate = _voice(request), round(rate, 2)
    wav = await run_in_threadpool(voice.cached, text, rate)
    if wav is None:
        # A new sentence runs espeak-ng: rationed per token, so a leaked display token
        # cannot keep the server synthesising (or filling its disk) all day.
        budget, key = _syntheses(request), f"{who.kind}:{who.subject}"

        def ration() -> bool:
            return budget.reserve(key, time.monotonic()) is not None

        try:
            wav = await run_in_threadpool(voice.speak, text, rate, ration)
        except VoiceRationed as exc:
            raise HTTPException(
                status_code=429,
                detail="Yêu cầu đọc số quá nhiều, xin thử lại sau",
                headers={"Retry-After": str(max(1, math.ceil(budget.interval_s)))},
            ) from exc
        except VoiceUnavailable as exc:
            raise HTTPException(
                status_code=404, detail=f"Máy chủ chưa có giọng đọc: {exc}"
            ) from exc
        except VoiceBusy as exc:
            raise HTTPException(
                status_code=503,
                detail="Máy chủ đang bận đọc số khác, xin thử lại sau",
                headers={"Retry-After": "2"},
            ) from exc
    return Response(wav, media_type=WAV, headers=_CACHE)
