"""Unit prices for the estimated cost of a call, in USD. The SDK reports usage, not money: these are list prices
as published on each provider's pricing page on the date below. Update them here, in one place, with their date.
An unknown provider or model costs 0 and is named in the row's usage, so an estimate never claims to be complete."""

PRICES_DATE = "2026-12-01"

# Speech to text: per minute of audio. https://deepgram.com/pricing, https://www.assemblyai.com/pricing,
# https://openai.com/api/pricing
STT_PER_MINUTE = {"deepgram": 0.0077, "assemblyai": 0.0025, "openai": 0.006, "local": 0.0}

# Text to speech: per 1,000 characters. https://elevenlabs.io/pricing/api, https://cartesia.ai/pricing,
# https://openai.com/api/pricing, https://deepgram.com/pricing
TTS_PER_1K_CHARS = {"elevenlabs": 0.10, "cartesia": 0.03, "openai": 0.015, "deepgram": 0.03, "local": 0.0}

# LLM: per 1M input and output tokens. https://openai.com/api/pricing, https://www.anthropic.com/pricing,
# https://groq.com/pricing, https://ai.google.dev/pricing
LLM_PER_1M_TOKENS = {
    ("openai", "gpt-4o-mini"): (0.15, 0.60),
    ("openai", "gpt-4.1-mini"): (0.40, 1.60),
    ("openai", "gpt-5"): (1.25, 10.0),
    ("anthropic", "claude-sonnet-4-5"): (3.0, 15.0),
    ("groq", "llama-3.3-70b-versatile"): (0.59, 0.79),
    ("google", "gemini-2.5-flash"): (0.30, 2.50),
    ("local", "scripted"): (0.0, 0.0),
}


def estimate_cost(providers: dict[str, str], usage: dict[str, dict[str, float]]) -> tuple[float, list[str]]:
    """The estimated cost in USD and the providers it could not price. `providers` holds "provider/model" strings."""
    unpriced: list[str] = []
    total = 0.0

    def split(key: str) -> tuple[str, str]:
        p, _, m = (providers.get(key) or "").partition("/")
        return p, m

    stt_p, _ = split("stt")
    seconds = usage.get("stt", {}).get("audio_seconds", 0.0)
    if stt_p in STT_PER_MINUTE:
        total += seconds / 60 * STT_PER_MINUTE[stt_p]
    elif seconds:
        unpriced.append(providers.get("stt", ""))

    tts_p, _ = split("tts")
    chars = usage.get("tts", {}).get("characters", 0)
    if tts_p in TTS_PER_1K_CHARS:
        total += chars / 1000 * TTS_PER_1K_CHARS[tts_p]
    elif chars:
        unpriced.append(providers.get("tts", ""))

    llm = split("llm")
    tokens_in = usage.get("llm", {}).get("prompt_tokens", 0)
    tokens_out = usage.get("llm", {}).get("completion_tokens", 0)
    if llm in LLM_PER_1M_TOKENS:
        p_in, p_out = LLM_PER_1M_TOKENS[llm]
        total += tokens_in / 1e6 * p_in + tokens_out / 1e6 * p_out
    elif tokens_in or tokens_out:
        unpriced.append(providers.get("llm", ""))
    return round(total, 5), unpriced
