"""Who is calling, and what the agent says to them: the call type from the `leads` table, and the prompt for that
call type (from `call_prompts`, else the built-in one) with the lead's fields filled in."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

QUALIFIED = "inbound-qualified"
UNQUALIFIED = "inbound-unqualified"
UNKNOWN = "inbound-unknown"
CALL_TYPES = (QUALIFIED, UNQUALIFIED, UNKNOWN)


@dataclass
class Lead:
    phone: str
    name: str | None = None
    qualified: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any] | None) -> Lead | None:
        if not row:
            return None
        details = row.get("details") if isinstance(row.get("details"), dict) else {}
        return cls(phone=row.get("phone") or "", name=row.get("name"), qualified=bool(row.get("qualified")), details=details)


@dataclass
class Prompt:
    greeting: str
    instructions: str


# Used when the database has no prompt for the call type (or cannot be read): the caller is greeted all the same.
DEFAULT_PROMPTS: dict[str, Prompt] = {
    QUALIFIED: Prompt(
        "Hi {name}, thanks for calling back! How can I help you today?",
        "You are a friendly phone assistant. The caller, {name}, is a qualified lead. Help them take the next step, "
        "and offer to book a callback with a specialist. Keep answers short: this is a phone call.",
    ),
    UNQUALIFIED: Prompt(
        "Hi {name}, thanks for calling. What can I do for you?",
        "You are a friendly phone assistant. The caller, {name}, is a lead who is not qualified yet. Learn what they "
        "need in a few short questions. Keep answers short: this is a phone call.",
    ),
    UNKNOWN: Prompt(
        "Hello, thanks for calling. Who am I speaking with?",
        "You are a friendly phone assistant. The caller is not in our records. Ask their name and what they need, "
        "and offer a callback. Keep answers short: this is a phone call.",
    ),
}


def call_type_for(lead: Lead | None) -> str:
    if lead is None:
        return UNKNOWN
    return QUALIFIED if lead.qualified else UNQUALIFIED


class _Fields(dict):
    """Missing fields read as empty text rather than failing the call over a typo in a prompt."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, lead: Lead | None) -> str:
    """Fills {name}, {phone} and any key of the lead's details; a brace that is not a field stays as it is."""
    values = _Fields()
    if lead:
        values.update({k: v for k, v in lead.details.items() if isinstance(k, str)})
        values.update(name=lead.name or "", phone=lead.phone)
    try:
        text = string.Formatter().vformat(template, (), values)
    except (ValueError, IndexError):
        return template
    # "Hi , thanks" reads badly when the lead has no name: tidy the gap the empty field leaves.
    return " ".join(text.replace(" ,", ",").split())


def prompt_for(call_type: str, row: dict[str, Any] | None, lead: Lead | None) -> Prompt:
    base = DEFAULT_PROMPTS[call_type]
    greeting = (row or {}).get("greeting") or base.greeting
    instructions = (row or {}).get("instructions") or base.instructions
    return Prompt(fill(greeting, lead), fill(instructions, lead))
