"""The only code that talks to Supabase (PostgREST through supabase-py). Each read is bounded by a timeout, so a
slow or unreachable database delays nobody's greeting by more than about a second."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from .numbers import candidates

NUMBERS_TABLE = "signalwire_phone_numbers"
READ_TIMEOUT_S = 1.0


class DatabaseUnavailable(Exception):
    """The database could not answer: not configured, unreachable, too slow, or a table is missing."""


def _is_missing_table(err: Exception) -> bool:
    text = str(err)
    return "PGRST205" in text or "42P01" in text or "schema cache" in text


class Database:
    def __init__(self, client: Any | None, timeout_s: float = READ_TIMEOUT_S) -> None:
        self._client = client
        self.timeout_s = timeout_s

    @classmethod
    async def from_env(cls) -> Database:
        """SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SERVICE_KEY), as the setup writes them."""
        url = os.getenv("SUPABASE_URL")
        key = os.getenv("SUPABASE_SERVICE_ROLE_KEY") or os.getenv("SUPABASE_SERVICE_KEY")
        if not url or not key:
            return cls(None)
        from supabase import acreate_client

        try:
            return cls(await asyncio.wait_for(acreate_client(url, key), READ_TIMEOUT_S))
        except Exception:
            return cls(None)

    def _table(self, name: str) -> Any:
        if self._client is None:
            raise DatabaseUnavailable("not configured (SUPABASE_URL / SUPABASE_SERVICE_ROLE_KEY)")
        return self._client.table(name)

    async def _run(self, what: str, query: Any) -> Any:
        try:
            return await asyncio.wait_for(query.execute(), self.timeout_s)
        except asyncio.TimeoutError as err:
            raise DatabaseUnavailable(f"{what}: no answer within {self.timeout_s:.1f} s") from err
        except Exception as err:  # the client raises its own error types; all mean "not now"
            if _is_missing_table(err):
                raise DatabaseUnavailable(f"{what}: table missing (run the setup's sql --schema)") from err
            raise DatabaseUnavailable(f"{what}: {str(err)[:120]}") from err

    async def number_row(self, called: str) -> dict[str, Any] | None:
        forms = candidates(called)
        if not forms:
            return None
        res = await self._run(NUMBERS_TABLE, self._table(NUMBERS_TABLE).select("*").in_("number", forms).limit(5))
        rows = getattr(res, "data", None) or []
        # The E.164 form first, as the setup stores it.
        rows.sort(key=lambda r: forms.index(r.get("number")) if r.get("number") in forms else len(forms))
        return rows[0] if rows else None

    async def lead(self, phone: str) -> dict[str, Any] | None:
        forms = candidates(phone)
        if not forms:
            return None
        res = await self._run("leads", self._table("leads").select("*").in_("phone", forms).limit(1))
        rows = getattr(res, "data", None) or []
        return rows[0] if rows else None

    async def prompt(self, call_type: str) -> dict[str, Any] | None:
        res = await self._run("call_prompts", self._table("call_prompts").select("*").eq("call_type", call_type).limit(1))
        rows = getattr(res, "data", None) or []
        return rows[0] if rows else None

    async def save_interaction(self, row: dict[str, Any]) -> None:
        # One row per call: writing it again (a retry, the shutdown callback) replaces it.
        await self._run("interactions", self._table("interactions").upsert(row, on_conflict="call_id"))

    async def book_callback(self, row: dict[str, Any]) -> None:
        await self._run("callbacks", self._table("callbacks").insert(row))
