"""The inbound phone agent: answers a call with its number's settings, greets the caller by name, and logs the call.

    python agent.py dev       # development: connects to LIVEKIT_URL, reloads on change
    python agent.py start     # production
    python agent.py console   # talk to it in the terminal, no phone

On a call: wait for the SIP participant → read the called and calling numbers from its attributes → load the
number's row and the caller's lead at once → the call type and its prompt → the providers the row names → greet at
once (LiveKit SIP answers the caller only when the agent publishes audio) → on hang-up, one `interactions` row.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

from dotenv import load_dotenv
from livekit import rtc
from livekit.agents import Agent, AgentServer, AgentSession, JobContext, JobProcess, RunContext, cli, function_tool
from livekit.plugins import silero

from inbound.calls import Lead, call_type_for, prompt_for
from inbound.db import Database, DatabaseUnavailable
from inbound.interactions import Turn, build_row, flush_spool, save_with_retry
from inbound.providers import build
from inbound.report import attributes, greeting_attributes
from inbound.settings import load_settings
from inbound.usage import call_usage
from inbound.worker import server_options

# The .env the setup wrote, beside this file; variables already set win.
load_dotenv(Path(__file__).with_name(".env"))
log = logging.getLogger("inbound-agent")


class InboundAgent(Agent):
    def __init__(self, instructions: str, db: Database, caller: str, lead: Lead | None, tools_used: list[str]) -> None:
        super().__init__(instructions=instructions)
        self._db, self._caller, self._lead, self._tools_used = db, caller, lead, tools_used

    @function_tool()
    async def book_callback(self, context: RunContext, when: str, notes: str = "") -> str:
        """Book a callback for the caller.

        Args:
            when: when the caller would like to be called back, in their words (e.g. "tomorrow morning")
            notes: what the callback is about
        """
        self._tools_used.append("book_callback")
        try:
            await self._db.book_callback({"phone": self._caller, "caller_name": self._lead.name if self._lead else None, "requested_for": when, "notes": notes})
            return f"Booked a callback for {when}."
        except DatabaseUnavailable as err:
            log.warning("book_callback: %s", err)
            return "The booking system is not available right now; say someone will call back."


async def _quiet(coro, default=None):
    """A read that may fail: the call goes on with the default."""
    try:
        return await coro
    except DatabaseUnavailable as err:
        log.warning("%s", err)
        return default


def prewarm(proc: JobProcess) -> None:
    proc.userdata["vad"] = silero.VAD.load()


# Optional worker settings (AGENT_MAX_CALLS for a machine busy with other work): inbound/worker.py.
server = AgentServer(**server_options(os.environ))
server.setup_fnc = prewarm


# The name the dispatch rule names (AGENT_NAME): a worker with a name is dispatched only when a rule names it.
@server.rtc_session(agent_name="inbound-agent")
async def entrypoint(ctx: JobContext) -> None:
    db_ready = asyncio.create_task(Database.from_env())
    await ctx.connect()
    # The attributes are set by LiveKit SIP; reading them before the participant is there is a race.
    sip = await ctx.wait_for_participant(kind=rtc.ParticipantKind.PARTICIPANT_KIND_SIP)
    called = sip.attributes.get("sip.trunkPhoneNumber", "")
    caller = sip.attributes.get("sip.phoneNumber", "")
    call_id = sip.attributes.get("sip.callID", "")
    started = time.time()

    db = await db_ready
    sent = await flush_spool(db.save_interaction)
    if sent:
        log.info("sent %d interaction(s) kept from earlier calls", sent)
    settings, lead_row = await asyncio.gather(load_settings(db, called), _quiet(db.lead(caller)) if caller else _none())
    lead = Lead.from_row(lead_row)
    call_type = call_type_for(lead)
    prompt = prompt_for(call_type, await _quiet(db.prompt(call_type)), lead)
    if settings.source == "defaults":
        log.warning("number %s: default settings (%s)", called or "(hidden)", settings.reason)

    providers = build(settings, ctx.proc.userdata["vad"])
    await ctx.room.local_participant.set_attributes(attributes(call_id, settings, call_type, providers.used, providers.fallback))

    turns: list[Turn] = []
    tools_used: list[str] = []
    session = AgentSession(stt=providers.stt, llm=providers.llm, tts=providers.tts, vad=ctx.proc.userdata["vad"])

    @session.on("conversation_item_added")
    def _on_item(ev) -> None:  # every turn, the greeting first
        item = ev.item
        text = getattr(item, "text_content", None)
        if text and getattr(item, "role", None) in ("assistant", "user"):
            if item.role == "assistant" and turns and turns[0].text == text and len(turns) == 1:
                return  # the greeting, already recorded when it started
            turns.append(Turn(item.role, text))

    written = asyncio.Event()

    async def write_interaction() -> None:
        if written.is_set():
            return
        written.set()
        spoken = sum(len(t.text) for t in turns if t.role == "assistant")
        usage = call_usage(session.usage.model_usage, spoken_chars=spoken, call_seconds=time.time() - started)
        row = build_row(
            called=settings.number or called, caller=caller, room=ctx.room.name, call_id=call_id, call_type=call_type,
            providers=providers.used, settings_source=settings.source, settings_reason=settings.reason,
            turns=turns, usage=usage, duration_s=time.time() - started, tools=tools_used,
        )
        await save_with_retry(db.save_interaction, row)

    # Written when the caller hangs up, not only when the job ends (that comes about 20 s later).
    @ctx.room.on("participant_disconnected")
    def _gone(p: rtc.RemoteParticipant) -> None:
        if p.identity == sip.identity:
            asyncio.create_task(write_interaction())

    ctx.add_shutdown_callback(write_interaction)

    await session.start(agent=InboundAgent(prompt.instructions, db, caller, lead, tools_used), room=ctx.room)
    await ctx.room.local_participant.set_attributes(greeting_attributes(prompt.greeting, int(time.time() * 1000)))
    # The greeting enters the session's history only once it has played; a caller who hangs up during it (the
    # row is written then) would leave no turn. It is the first turn from the moment it starts.
    turns.insert(0, Turn("assistant", prompt.greeting))
    session.say(prompt.greeting, allow_interruptions=False)


async def _none():
    return None


if __name__ == "__main__":
    cli.run_app(server)
