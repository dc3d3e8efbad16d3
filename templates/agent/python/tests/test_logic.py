"""The agent's decisions, without LiveKit: numbers as LiveKit matches them, the settings or defaults, the call type,
the prompt with the lead's fields, the cost, and the spool that keeps a transcript the database could not take."""

import asyncio
import json

import pytest

from inbound.calls import QUALIFIED, UNKNOWN, UNQUALIFIED, Lead, call_type_for, fill, prompt_for
from inbound.db import Database, DatabaseUnavailable
from inbound.interactions import Turn, build_row, flush_spool, save_with_retry
from inbound.numbers import candidates, normalize_number
from inbound.prices import estimate_cost
from inbound.report import attributes, provider_strings
from inbound.settings import load_settings


@pytest.mark.parametrize(
    "raw,want",
    [("+14244851544", "+14244851544"), ("14244851544", "+14244851544"), ("+1 424 485 1544", "+14244851544"), ("(424) 485-1544", "+4244851544"), ("", "")],
)
def test_numbers_normalise_as_livekit_does(raw, want):
    assert normalize_number(raw) == want


def test_candidates_keep_the_form_the_call_carried():
    assert candidates("1 424 485 1544") == ["+14244851544", "1 424 485 1544"]


def test_call_type_from_the_lead():
    assert call_type_for(None) == UNKNOWN
    assert call_type_for(Lead("+1", "Ada", qualified=True)) == QUALIFIED
    assert call_type_for(Lead("+1", "Bob", qualified=False)) == UNQUALIFIED
    assert Lead.from_row({"phone": "+1", "name": "Ada", "qualified": True, "details": None}).details == {}


def test_prompts_fill_the_leads_fields_and_survive_bad_templates():
    ada = Lead("+16505300051", "Ada", True, {"company": "Analytical Engines"})
    assert fill("Hi {name} from {company}!", ada) == "Hi Ada from Analytical Engines!"
    assert fill("Hi {name}, {missing} ok", ada) == "Hi Ada, ok"
    assert fill("Hi {name}, welcome", Lead("+1", None)) == "Hi, welcome"
    assert fill("broken {", ada) == "broken {"
    p = prompt_for(QUALIFIED, {"greeting": "Welcome back {name}", "instructions": ""}, ada)
    assert p.greeting == "Welcome back Ada"
    assert "Ada" in p.instructions  # the built-in instructions when the row has none
    assert "Ada" not in prompt_for(UNKNOWN, None, None).greeting


class FakeQuery:
    def __init__(self, result=None, delay=0.0, error=None):
        self.result, self.delay, self.error = result, delay, error

    def __getattr__(self, _name):  # select / in_ / eq / limit / upsert / insert chain back to the query
        return lambda *a, **k: self

    async def execute(self):
        await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        return type("R", (), {"data": self.result})()


class FakeClient:
    def __init__(self, query):
        self.query = query

    def table(self, _name):
        return self.query


def run(coro):
    return asyncio.run(coro)


def test_settings_from_an_active_row():
    row = {"number": "+14244851544", "status": "active", "name": "Sales", "stt_provider": "deepgram", "stt_model": "nova-3", "llm_provider": "openai", "llm_model": "gpt-4.1-mini", "tts_provider": "local", "tts_voice": ""}
    s = run(load_settings(Database(FakeClient(FakeQuery([row]))), "14244851544"))
    assert (s.source, s.reason, s.number) == ("row", "", "+14244851544")
    assert provider_strings(s) == {"stt": "deepgram/nova-3", "llm": "openai/gpt-4.1-mini", "tts": "local"}


@pytest.mark.parametrize(
    "query,reason",
    [
        (FakeQuery([]), "no row"),
        (FakeQuery([{"number": "+14244851544", "status": "inactive"}]), "row inactive"),
        (FakeQuery([], delay=0.5), "database unreachable"),
        (FakeQuery(error=Exception("PGRST205 Could not find the table")), "table missing"),
        (FakeQuery(error=ConnectionError("refused")), "database unreachable: signalwire_phone_numbers: refused"),
    ],
)
def test_no_active_row_means_defaults_with_the_reason(query, reason):
    s = run(load_settings(Database(FakeClient(query), timeout_s=0.1), "+14244851544"))
    assert s.source == "defaults"
    assert s.reason.startswith(reason)
    assert provider_strings(s) == {"stt": "local/pocketsphinx", "llm": "local/scripted", "tts": "local/espeak-ng"}


def test_hidden_number_and_no_database():
    assert run(load_settings(Database(None), "")).reason == "number hidden"
    with pytest.raises(DatabaseUnavailable):
        run(Database(None).lead("+1"))


def test_the_report_follows_the_convention():
    s = run(load_settings(Database(None), "+14244851544"))
    a = attributes("SCL_1", s, UNKNOWN, provider_strings(s))
    assert a["inbound.v"] == "1" and a["inbound.settings"] == "defaults" and a["inbound.reason"].startswith("database unreachable")
    assert all(isinstance(v, str) for v in a.values())


def test_cost_is_usage_times_dated_prices_and_names_what_it_cannot_price():
    cost, unpriced = estimate_cost(
        {"stt": "deepgram/nova-3", "llm": "openai/gpt-4.1-mini", "tts": "elevenlabs/Rachel"},
        {"stt": {"audio_seconds": 60}, "llm": {"prompt_tokens": 1_000_000, "completion_tokens": 0}, "tts": {"characters": 1000}},
    )
    assert cost == pytest.approx(0.0077 + 0.40 + 0.10)
    assert unpriced == []
    assert estimate_cost({"llm": "acme/x"}, {"llm": {"prompt_tokens": 5}}) == (0.0, ["acme/x"])


def test_a_row_the_database_refuses_is_spooled_then_sent_by_the_next_start(tmp_path, monkeypatch):
    monkeypatch.setattr("inbound.interactions.RETRY_DELAYS_S", (0.0,))
    spool = tmp_path / "spool.jsonl"
    row = build_row(called="+1", caller="+2", room="r", call_id="c1", call_type=UNKNOWN, providers={"stt": "local"}, settings_source="row", settings_reason="", turns=[Turn("assistant", "Hello")], usage={}, duration_s=3.2)
    tries = []

    async def failing(r):
        tries.append(r)
        raise ConnectionError("down")

    assert run(save_with_retry(failing, row, spool)) is False
    assert len(tries) == 2
    assert json.loads(spool.read_text())["transcript"][0]["text"] == "Hello"
    saved = []

    async def ok(r):
        saved.append(r)

    assert run(flush_spool(ok, spool)) == 1
    assert saved[0]["call_id"] == "c1" and saved[0]["duration_seconds"] == 3
    assert not spool.exists()
