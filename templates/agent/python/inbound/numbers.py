"""Phone numbers as LiveKit matches them (livekit/protocol sip.go NormalizeNumber): spaces, '-', '(' and ')'
are dropped and a missing '+' is added, so the row stored by the setup (E.164) is found for the number a call
carries in sip.trunkPhoneNumber, whatever form the trunk holds it in."""

import re

_DROP = re.compile(r"[\s\-()]")


def normalize_number(number: str | None) -> str:
    if not number:
        return ""
    n = _DROP.sub("", number.strip())
    if not n:
        return ""
    return n if n.startswith("+") else "+" + n


def candidates(number: str | None) -> list[str]:
    """The forms a stored row may hold: as LiveKit normalises it, and as the call carried it."""
    out = []
    for n in (normalize_number(number), (number or "").strip()):
        if n and n not in out:
            out.append(n)
    return out
