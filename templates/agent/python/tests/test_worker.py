"""The worker's settings from the environment: with AGENT_MAX_CALLS the load counts calls, and stays under the
load at which LiveKit's server stops sending jobs (0.7) until the cap is reached."""

from types import SimpleNamespace

from inbound.worker import SERVER_TARGET_LOAD, server_options


def _load(opts, calls):
    return opts["load_fnc"](SimpleNamespace(active_jobs=[object()] * calls))


def test_nothing_set_keeps_livekits_defaults():
    assert server_options({}) == {}


def test_a_call_cap_takes_calls_up_to_the_cap_whatever_the_cpu():
    opts = server_options({"AGENT_MAX_CALLS": "3"})
    assert opts["load_threshold"] == SERVER_TARGET_LOAD
    assert _load(opts, 0) == 0
    assert _load(opts, 2) < SERVER_TARGET_LOAD  # a third call is still sent
    assert _load(opts, 3) >= opts["load_threshold"]  # the fourth is not
    assert _load(opts, 5) == SERVER_TARGET_LOAD


def test_the_health_endpoint_and_threshold():
    opts = server_options({"AGENT_LOAD_THRESHOLD": "0.5", "AGENT_HTTP_HOST": "127.0.0.1", "AGENT_HTTP_PORT": "0"})
    assert opts == {"load_threshold": 0.5, "host": "127.0.0.1", "port": 0}
