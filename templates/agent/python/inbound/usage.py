"""A call's usage per provider, in the shape the `interactions` row holds:
{"stt": {"audio_seconds"}, "llm": {"prompt_tokens", "completion_tokens"}, "tts": {"characters"}}.

The numbers come from livekit-agents' own count (`AgentSession.usage.model_usage`: LLMModelUsage,
STTModelUsage, TTSModelUsage, summed over every model the session used, a fallback included). A kind the SDK
counted nothing for (a provider that reports no metrics) takes the agent's own measure instead: the characters of
what it said, and the call's length for speech recognition, which hears the whole call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def call_usage(model_usage: Iterable[Any], *, spoken_chars: int, call_seconds: float) -> dict[str, dict[str, float]]:
    stt_seconds, chars, tokens_in, tokens_out = 0.0, 0, 0, 0
    for m in model_usage:
        kind = getattr(m, "type", "")
        if kind == "llm_usage":
            tokens_in += int(m.input_tokens)
            tokens_out += int(m.output_tokens)
        elif kind == "stt_usage":
            stt_seconds += float(m.audio_duration)
        elif kind == "tts_usage":
            chars += int(m.characters_count)
    return {
        "stt": {"audio_seconds": round(stt_seconds or call_seconds, 1)},
        "llm": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out},
        "tts": {"characters": chars or spoken_chars},
    }
