"""A provider that builds but fails on the call (here: LiveKit Inference pointed at a closed loopback port) hands over
to the local one, so the caller still hears speech; and the local recogniser hears the local voice."""

import array
import asyncio
import socket

from livekit import rtc
from livekit.agents.utils import http_context
from livekit.plugins import silero

from inbound.local import LocalSTT, LocalTTS
from inbound.providers import build
from inbound.settings import from_row


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cloud_voice_that_fails_on_the_call_falls_back_to_local_speech(monkeypatch):
    monkeypatch.setenv("LIVEKIT_INFERENCE_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("LIVEKIT_API_KEY", "devkey")
    monkeypatch.setenv("LIVEKIT_API_SECRET", "secret-secret-secret-secret-secret")
    row = {"number": "+14244851544", "status": "active", "stt_provider": "deepgram", "stt_model": "nova-3",
           "llm_provider": "openai", "llm_model": "gpt-4.1-mini", "tts_provider": "cartesia", "tts_voice": "sonic-2"}

    async def main():
        async with http_context.open():  # what a job gives its plugins
            p = build(from_row("+14244851544", row), silero.VAD.load())
            assert p.used["tts"] == "cartesia/sonic-2" and p.used["stt"] == "deepgram/nova-3"
            frames = [ev.frame async for ev in p.tts.synthesize("Hi Ada, thanks for calling back!")]
            await p.tts.aclose()
            return frames

    frames = asyncio.run(main())
    samples = array.array("h", b"".join(bytes(f.data) for f in frames))
    assert samples and max(abs(s) for s in samples) > 1000  # espeak-ng spoke: not silence


def test_the_local_recogniser_hears_the_local_voice():
    async def main():
        tts = LocalTTS()
        frames = [ev.frame async for ev in tts.synthesize("hello world")]
        await tts.aclose()
        return await LocalSTT().recognize(rtc.combine_audio_frames(frames))

    ev = asyncio.run(main())
    assert "hello" in ev.alternatives[0].text
