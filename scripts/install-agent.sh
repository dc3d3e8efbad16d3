#!/usr/bin/env bash
# Installs what the starter agent's tests and `npm run stack` need, skipping what is there:
#   espeak-ng (Debian) for the agent's offline speech, and a virtual environment at .cache/agent-venv with the
#   template's pinned requirements plus pytest, rebuilt only when those requirement files change.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPLATE=templates/agent/python
VENV="$PWD/.cache/agent-venv"

if ! command -v espeak-ng >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "espeak-ng is missing. Install it as root: apt-get install -y espeak-ng" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends espeak-ng >/dev/null
  echo "installed: espeak-ng"
fi

stamp=$(cat "$TEMPLATE/requirements.txt" "$TEMPLATE/requirements-dev.txt" | sha256sum | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "agent venv present"
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$TEMPLATE/requirements-dev.txt"
echo "$stamp" > "$VENV/.requirements-stamp"
echo "agent venv built: $VENV"
