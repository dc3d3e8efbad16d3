"""The call's `interactions` row: built once the caller hangs up, written with retries, and kept in a local spool
file when the database cannot take it, so the next start sends it. A transcript is never lost."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from .prices import PRICES_DATE, estimate_cost

log = logging.getLogger("inbound.interactions")

SPOOL = Path(os.getenv("INTERACTIONS_SPOOL", ".interactions-spool.jsonl"))
RETRY_DELAYS_S = (0.5, 1.0, 2.0)


@dataclass
class Turn:
    role: str  # "assistant" or "user"
    text: str
    at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())


def build_row(
    *,
    called: str,
    caller: str,
    room: str,
    call_id: str,
    call_type: str,
    providers: dict[str, str],
    settings_source: str,
    settings_reason: str,
    turns: list[Turn],
    usage: dict[str, dict[str, float]],
    duration_s: float,
    tools: list[str] | None = None,
) -> dict[str, Any]:
    cost, unpriced = estimate_cost(providers, usage)
    return {
        "phone_number": called,
        "caller_number": caller,
        "direction": "inbound",
        "room_name": room,
        "call_id": call_id,
        "call_type": call_type,
        "status": "completed",
        "duration_seconds": int(round(duration_s)),
        "providers": {**providers, "settings": settings_source},
        "transcript": [{"role": t.role, "text": t.text, "at": t.at} for t in turns if t.text],
        "usage": usage,
        "cost_usd": cost,
        "metadata": {"tools": tools or [], "settings_reason": settings_reason, "prices_date": PRICES_DATE, "unpriced": unpriced},
    }


async def save_with_retry(save: Callable[[dict[str, Any]], Awaitable[None]], row: dict[str, Any], spool: Path = SPOOL) -> bool:
    """True when the database took the row; else it is appended to the spool file (and False)."""
    for delay in (*RETRY_DELAYS_S, None):
        try:
            await save(row)
            return True
        except Exception as err:  # any failure: try again, then keep it locally
            log.warning("could not write the interaction for call %s: %s", row.get("call_id"), err)
            if delay is None:
                break
            await asyncio.sleep(delay)
    with spool.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    os.chmod(spool, 0o600)
    log.warning("kept the interaction for call %s in %s; the next start sends it", row.get("call_id"), spool)
    return False


async def flush_spool(save: Callable[[dict[str, Any]], Awaitable[None]], spool: Path = SPOOL) -> int:
    """Sends every spooled row; keeps those that still fail. Returns how many were sent."""
    if not spool.exists():
        return 0
    kept: list[str] = []
    sent = 0
    for line in spool.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            await save(json.loads(line))
            sent += 1
        except Exception:
            kept.append(line)
    if kept:
        spool.write_text("\n".join(kept) + "\n", encoding="utf-8")
    else:
        spool.unlink()
    return sent
