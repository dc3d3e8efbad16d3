"""The number's settings: its row (active only), else safe defaults with the reason, so a call is always answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .db import Database, DatabaseUnavailable

# What a number without an active row runs: the offline providers, which need no key and no network.
DEFAULTS = {"stt_provider": "local", "stt_model": "pocketsphinx", "llm_provider": "local", "llm_model": "scripted", "tts_provider": "local", "tts_voice": "espeak-ng"}


@dataclass
class NumberSettings:
    number: str
    source: str  # "row" or "defaults"
    reason: str  # why defaults; empty for a row
    name: str | None
    stt: tuple[str, str]
    llm: tuple[str, str]
    tts: tuple[str, str]


def _pick(row: dict[str, Any], provider: str, model: str) -> tuple[str, str]:
    p = (row.get(provider) or "").strip().lower()
    m = (row.get(model) or "").strip()
    if not p:
        return DEFAULTS[provider], DEFAULTS[model]
    return p, m


def from_row(number: str, row: dict[str, Any] | None, reason: str = "") -> NumberSettings:
    if row is None or (row.get("status") or "active") != "active":
        why = reason or ("no row" if row is None else f"row {row.get('status')}")
        r: dict[str, Any] = DEFAULTS
        return NumberSettings(number, "defaults", why, None, (r["stt_provider"], r["stt_model"]), (r["llm_provider"], r["llm_model"]), (r["tts_provider"], r["tts_voice"]))
    return NumberSettings(
        row.get("number") or number,
        "row",
        "",
        row.get("name"),
        _pick(row, "stt_provider", "stt_model"),
        _pick(row, "llm_provider", "llm_model"),
        _pick(row, "tts_provider", "tts_voice"),
    )


async def load_settings(db: Database, called: str) -> NumberSettings:
    if not called:
        return from_row("", None, "number hidden")
    try:
        return from_row(called, await db.number_row(called))
    except DatabaseUnavailable as err:
        return from_row(called, None, "table missing" if "table missing" in str(err) else f"database unreachable: {err}")
