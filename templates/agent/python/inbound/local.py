"""The `local` providers: speech, recognition and replies with no key and no network, so the whole path can be
tried (and tested) without a provider account. espeak-ng (a system package) speaks; pocketsphinx (PyPI, with its
English model inside) recognises; a scripted responder answers. Good enough to prove a call, not to sell."""

from __future__ import annotations

import asyncio
import io
import shutil
import uuid
import wave

from livekit import rtc
from livekit.agents import APIConnectOptions, DEFAULT_API_CONNECT_OPTIONS, llm, stt, tts, utils
from livekit.agents.types import NOT_GIVEN, NotGivenOr

ESPEAK = "espeak-ng"


class LocalTTS(tts.TTS):
    """espeak-ng, run once per sentence; its WAV is handed on as PCM."""

    def __init__(self, voice: str = "en-us") -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False), sample_rate=22050, num_channels=1)
        self._voice = voice if voice and voice != "espeak-ng" else "en-us"
        if not shutil.which(ESPEAK):
            raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng, brew install espeak-ng)")

    @property
    def model(self) -> str:
        return "espeak-ng"

    @property
    def provider(self) -> str:
        return "local"

    def synthesize(self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS) -> tts.ChunkedStream:
        return _EspeakStream(tts=self, input_text=text, conn_options=conn_options, voice=self._voice)


class _EspeakStream(tts.ChunkedStream):
    def __init__(self, *, tts: LocalTTS, input_text: str, conn_options: APIConnectOptions, voice: str) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._voice = voice

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        proc = await asyncio.create_subprocess_exec(
            ESPEAK, "--stdout", "-v", self._voice, "-s", "165", self._input_text,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        data, _ = await proc.communicate()
        if proc.returncode != 0 or not data:
            raise RuntimeError(f"espeak-ng exited {proc.returncode}")
        with wave.open(io.BytesIO(data)) as w:
            rate, pcm = w.getframerate(), w.readframes(w.getnframes())
        output_emitter.initialize(request_id=utils.shortuuid(), sample_rate=rate, num_channels=1, mime_type="audio/pcm")
        output_emitter.push(pcm)
        output_emitter.flush()


class LocalSTT(stt.STT):
    """pocketsphinx over a whole utterance (a VAD cuts the utterances: wrap it in stt.StreamAdapter)."""

    def __init__(self) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        from pocketsphinx import Decoder  # its English model ships in the wheel

        self._decoder = Decoder(samprate=16000, loglevel="FATAL")

    @property
    def model(self) -> str:
        return "pocketsphinx"

    @property
    def provider(self) -> str:
        return "local"

    async def _recognize_impl(
        self, buffer: utils.AudioBuffer, *, language: NotGivenOr[str] = NOT_GIVEN, conn_options: APIConnectOptions
    ) -> stt.SpeechEvent:
        frame = rtc.combine_audio_frames(buffer)
        pcm = _to_16k_mono(frame)
        text = await asyncio.to_thread(self._decode, pcm)
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=uuid.uuid4().hex,
            alternatives=[stt.SpeechData(language="en", text=text)],
        )

    def _decode(self, pcm: bytes) -> str:
        d = self._decoder
        d.start_utt()
        d.process_raw(pcm, full_utt=True)
        d.end_utt()
        hyp = d.hyp()
        return hyp.hypstr if hyp else ""


def _to_16k_mono(frame: rtc.AudioFrame) -> bytes:
    if frame.sample_rate == 16000 and frame.num_channels == 1:
        return bytes(frame.data)
    resampler = rtc.AudioResampler(input_rate=frame.sample_rate, output_rate=16000, num_channels=frame.num_channels)
    out = b"".join(bytes(f.data) for f in [*resampler.push(frame), *resampler.flush()])
    if frame.num_channels == 1:
        return out
    import array

    samples = array.array("h", out)
    return array.array("h", samples[:: frame.num_channels]).tobytes()


class ScriptedLLM(llm.LLM):
    """Answers from a short script: enough to hold a test call and show the turns in the transcript."""

    REPLIES = (
        "Thanks, I have noted that. Is there anything else I can help you with?",
        "Got it. Someone from our team can call you back. Anything else?",
        "Thank you for calling. Goodbye!",
    )

    def __init__(self) -> None:
        super().__init__()
        self.turn = 0

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "local"

    def chat(self, *, chat_ctx: llm.ChatContext, tools: list[llm.Tool] | None = None, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS, **_: object) -> llm.LLMStream:
        reply = self.REPLIES[min(self.turn, len(self.REPLIES) - 1)]
        self.turn += 1
        return _ScriptedStream(self, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options, reply=reply)


class _ScriptedStream(llm.LLMStream):
    def __init__(self, llm_: ScriptedLLM, *, chat_ctx: llm.ChatContext, tools: list[llm.Tool], conn_options: APIConnectOptions, reply: str) -> None:
        super().__init__(llm_, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)
        self._reply = reply

    async def _run(self) -> None:
        # Tokens are words here, counted like a model's so that the call's usage shows what a model would bill.
        words = len(self._reply.split())
        prompt = sum(len((i.text_content or "").split()) for i in self._chat_ctx.items if i.type == "message")
        self._event_ch.send_nowait(
            llm.ChatChunk(
                id=uuid.uuid4().hex,
                delta=llm.ChoiceDelta(role="assistant", content=self._reply),
                usage=llm.CompletionUsage(completion_tokens=words, prompt_tokens=prompt, total_tokens=prompt + words),
            )
        )
