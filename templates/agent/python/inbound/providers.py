"""STT, LLM and TTS from the number's row. A cloud provider runs through LiveKit Inference ("provider/model", billed
to the LiveKit project, or LIVEKIT_INFERENCE_API_KEY): one package serves every provider, and no provider key is
needed. To use a provider's own plugin and key instead, install it and build it here. A provider named `local`
runs offline. Anything that cannot be built falls back to `local`, and says so: the caller never hears silence."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .settings import NumberSettings

log = logging.getLogger("inbound.providers")


@dataclass
class Providers:
    stt: Any
    llm: Any
    tts: Any
    used: dict[str, str]
    fallback: str


def _model_string(provider: str, model: str) -> str:
    return f"{provider}/{model}" if model else provider


def _with_local_behind(kind: str, made: Any, offline: Any) -> Any:
    from livekit.agents import llm as llm_mod, stt as stt_mod, tts as tts_mod

    if kind == "stt":
        return stt_mod.FallbackAdapter([made, offline], attempt_timeout=5.0, max_retry_per_stt=0)
    if kind == "llm":
        return llm_mod.FallbackAdapter([made, offline], attempt_timeout=5.0, max_retry_per_llm=0)
    return tts_mod.FallbackAdapter([made, offline], max_retry_per_tts=0)


def build(settings: NumberSettings, vad: Any) -> Providers:
    from livekit.agents import inference, stt as stt_mod

    from . import local

    notes: list[str] = []
    used: dict[str, str] = {}

    def make(kind: str, choice: tuple[str, str], cloud: Any, offline: Any, offline_name: str) -> Any:
        provider, model = choice
        if provider != "local":
            try:
                made = cloud(_model_string(provider, model))
                used[kind] = _model_string(provider, model)
                # Building an Inference model checks nothing remote (a self-hosted server's key builds fine), so a
                # provider may still fail on the call: the local one stands behind it, and the caller hears that.
                return _with_local_behind(kind, made, offline())
            except Exception as err:  # an unknown model, a provider Inference does not serve, no credentials
                notes.append(f"{kind}: {_model_string(provider, model)} failed ({str(err)[:80]}) → local/{offline_name}")
                log.warning("%s", notes[-1])
        used[kind] = f"local/{offline_name}"
        return offline()

    stt = make("stt", settings.stt, inference.STT.from_model_string, lambda: stt_mod.StreamAdapter(stt=local.LocalSTT(), vad=vad), "pocketsphinx")
    llm = make("llm", settings.llm, inference.LLM.from_model_string, local.ScriptedLLM, "scripted")
    tts = make("tts", settings.tts, inference.TTS.from_model_string, local.LocalTTS, "espeak-ng")
    return Providers(stt, llm, tts, used, "; ".join(notes))
