"""The worker's optional settings from the environment (all unset: LiveKit's own defaults).

AGENT_MAX_CALLS: the worker measures its load by the calls it handles, not by the machine's CPU. LiveKit's server
sends a job only to a worker whose reported load is under its target load, 0.7 (livekit-server
`agentservice.go`, JobRequestAffinity), whatever the worker's own threshold says. A worker that reports CPU on a
machine busy with other work is then sent no call at all: the call rings and is never answered. With a cap, the
load is 0.7 × calls / cap, so the worker takes calls until `cap` are in progress, and refuses the next.
AGENT_LOAD_THRESHOLD: the load at which the worker itself declines calls (0.7 in `start`); above 0.7 it changes
nothing, since the server stops there first.
AGENT_HTTP_HOST / AGENT_HTTP_PORT: the worker's health endpoint (all interfaces, port 8081 in `start`; 0 picks a
free port).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# livekit-server's default agents.target_load (LiveKit Cloud uses its own and ignores a custom load function).
SERVER_TARGET_LOAD = 0.7


def calls_load(cap: int):
    """A load function: 0.7 × calls in progress / cap. A call's job counts until its room closes."""

    def load(server: Any) -> float:
        return min(len(server.active_jobs), cap) / cap * SERVER_TARGET_LOAD

    return load


def server_options(env: Mapping[str, str]) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if env.get("AGENT_MAX_CALLS"):
        opts["load_fnc"] = calls_load(max(1, int(env["AGENT_MAX_CALLS"])))
        opts["load_threshold"] = SERVER_TARGET_LOAD
    if env.get("AGENT_LOAD_THRESHOLD"):
        opts["load_threshold"] = float(env["AGENT_LOAD_THRESHOLD"])
    if env.get("AGENT_HTTP_HOST"):
        opts["host"] = env["AGENT_HTTP_HOST"]
    if env.get("AGENT_HTTP_PORT"):
        opts["port"] = int(env["AGENT_HTTP_PORT"])
    return opts
