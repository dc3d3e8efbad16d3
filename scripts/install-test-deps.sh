#!/usr/bin/env bash
# Everything `npm test` needs that npm does not install, skipping what is already there:
#   PostgreSQL (the database tests run a throwaway cluster with Debian's initdb/pg_ctl),
#   python-dotenv (the .env tests check every merge against it; pinned in test/requirements.txt),
#   the real LiveKit stack (scripts/install-livekit.sh), and the starter agent's Python environment and espeak-ng
#   (scripts/install-agent.sh).
# Run as root on a fresh Debian machine: bash scripts/install-test-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== PostgreSQL (initdb is missing)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

echo "== python-dotenv"
python3 -m pip install -q -r test/requirements.txt

bash scripts/install-livekit.sh
bash scripts/install-agent.sh
