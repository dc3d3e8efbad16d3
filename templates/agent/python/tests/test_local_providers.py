"""The offline providers through LiveKit Agents' own interfaces: espeak-ng speech that is not silent, and the scripted
responder driving a real AgentSession turn."""

import array
import asyncio

import pytest
from livekit.agents import Agent, AgentSession

from inbound.local import LocalTTS, ScriptedLLM


def test_local_tts_speaks_audible_pcm():
    async def main():
        tts = LocalTTS()
        frames = [ev.frame async for ev in tts.synthesize("Hi Ada, thanks for calling back!")]
        await tts.aclose()
        return frames

    frames = asyncio.run(main())
    samples = array.array("h", b"".join(bytes(f.data) for f in frames))
    assert sum(f.samples_per_channel for f in frames) / frames[0].sample_rate > 0.5  # over half a second of speech
    assert max(abs(s) for s in samples) > 1000  # not silence


@pytest.mark.asyncio
async def test_scripted_llm_answers_a_turn_in_an_agent_session():
    async with ScriptedLLM() as llm, AgentSession(llm=llm) as session:
        await session.start(Agent(instructions="You are a phone assistant."))
        result = await session.run(user_input="I would like a callback tomorrow")
        result.expect.next_event().is_message(role="assistant")
