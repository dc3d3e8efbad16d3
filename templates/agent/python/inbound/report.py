"""The agent report convention (docs/agent-report.md): participant attributes that say what the agent loaded and
did, so `create-sip-inbound check` can prove it. Attribute values are strings."""

from __future__ import annotations

from .settings import NumberSettings

VERSION = "1"


def provider_strings(s: NumberSettings) -> dict[str, str]:
    def join(p: tuple[str, str]) -> str:
        return f"{p[0]}/{p[1]}" if p[1] else p[0]

    return {"stt": join(s.stt), "llm": join(s.llm), "tts": join(s.tts)}


def attributes(call_id: str, s: NumberSettings, call_type: str, used: dict[str, str], fallback: str = "") -> dict[str, str]:
    attrs = {
        "inbound.v": VERSION,
        "inbound.call_id": call_id,
        "inbound.number": s.number,
        "inbound.settings": s.source,
        "inbound.reason": s.reason,
        "inbound.call_type": call_type,
        "inbound.stt": used["stt"],
        "inbound.llm": used["llm"],
        "inbound.tts": used["tts"],
    }
    if fallback:
        attrs["inbound.fallback"] = fallback
    return attrs


def greeting_attributes(text: str, at_ms: int) -> dict[str, str]:
    return {"inbound.greeting": text, "inbound.greeting_at": str(at_ms)}
