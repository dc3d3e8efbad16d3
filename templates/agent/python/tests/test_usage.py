"""The call's usage from livekit-agents' own count: summed per kind over every model (a fallback model too), the
agent's own measure where the SDK counted nothing, and a real AgentSession turn with the scripted responder."""

import pytest
from livekit.agents import Agent, AgentSession
from livekit.agents.metrics.usage import EOTModelUsage, LLMModelUsage, STTModelUsage, TTSModelUsage

from inbound.local import ScriptedLLM
from inbound.prices import estimate_cost
from inbound.usage import call_usage


def test_every_model_of_a_kind_is_summed_and_other_kinds_ignored():
    usage = call_usage(
        [
            LLMModelUsage(provider="openai", model="gpt-4.1-mini", input_tokens=1200, output_tokens=80),
            LLMModelUsage(provider="local", model="scripted", input_tokens=30, output_tokens=12),  # after a fallback
            STTModelUsage(provider="deepgram", model="nova-3", audio_duration=41.26),
            TTSModelUsage(provider="cartesia", model="sonic-2", characters_count=310),
            EOTModelUsage(provider="livekit", model="turn-detector", total_requests=9),
        ],
        spoken_chars=999,
        call_seconds=60,
    )
    assert usage == {"stt": {"audio_seconds": 41.3}, "llm": {"prompt_tokens": 1230, "completion_tokens": 92}, "tts": {"characters": 310}}
    providers = {"stt": "deepgram/nova-3", "llm": "openai/gpt-4.1-mini", "tts": "cartesia/sonic-2"}
    cost, unpriced = estimate_cost(providers, usage)
    assert cost > 0 and unpriced == []


def test_what_the_sdk_did_not_count_comes_from_the_agents_own_measure():
    assert call_usage([], spoken_chars=64, call_seconds=12.34) == {
        "stt": {"audio_seconds": 12.3},
        "llm": {"prompt_tokens": 0, "completion_tokens": 0},
        "tts": {"characters": 64},
    }


@pytest.mark.asyncio
async def test_a_session_turn_shows_in_the_calls_llm_usage():
    async with ScriptedLLM() as llm, AgentSession(llm=llm) as session:
        await session.start(Agent(instructions="You are a phone assistant."))
        await session.run(user_input="I would like a callback tomorrow")
        usage = call_usage(session.usage.model_usage, spoken_chars=0, call_seconds=0)
    reply = ScriptedLLM.REPLIES[0]
    assert usage["llm"] == {"prompt_tokens": len("You are a phone assistant. I would like a callback tomorrow".split()), "completion_tokens": len(reply.split())}
