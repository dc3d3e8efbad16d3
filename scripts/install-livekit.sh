#!/usr/bin/env bash
# Installs what the real-LiveKit tests and `npm run stack` need, and skips what is already there:
#   Debian: redis-server, sip-tester (SIPp), and pkg-config + libopus/libopusfile/libsoxr (livekit-sip is cgo)
#   livekit-server and livekit-sip, built from the Go module proxy into .cache/livekit/bin/ (git-ignored)
#   the test agent worker's npm packages (@livekit/agents) in test/real/agent/node_modules
# Run from anywhere: bash scripts/install-livekit.sh   (as root, or with the Debian packages already there)
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with test/real/paths.ts.
SERVER_VERSION=v1.13.5   # the newest v1.13.x without replace directives (go install refuses those)
SIP_VERSION=v1.8.0       # the only livekit/sip version the module proxy serves
AGENTS_VERSION=1.9.0
BIN="$PWD/.cache/livekit/bin"
mkdir -p "$BIN"
step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
for p in libopus-dev libopusfile-dev libsoxr-dev; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${need[*]}. Install them as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "installed: ${need[*]}"
else
  echo "present"
fi

step "Go"
# The machine image installs Go under /usr/local/go; a shell without it on PATH still finds it there.
command -v go >/dev/null 2>&1 || [ ! -x /usr/local/go/bin/go ] || export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed (livekit-server and livekit-sip are built from source): install Go 1.26 or newer" >&2
  exit 1
fi
go version
# Module mode for the wrapper below; no VCS stamping (the build happens in a temp dir).
export GOFLAGS="-mod=mod -buildvcs=false"

step "livekit-server $SERVER_VERSION"
if [ -x "$BIN/livekit-server-$SERVER_VERSION" ]; then
  echo "present"
else
  gobin=$(mktemp -d)
  GOBIN="$gobin" go install "github.com/livekit/livekit-server/cmd/server@$SERVER_VERSION"
  mv "$gobin/server" "$BIN/livekit-server-$SERVER_VERSION"
  rm -rf "$gobin"
  echo "built"
fi

step "livekit-sip $SIP_VERSION"
if [ -x "$BIN/livekit-sip-$SIP_VERSION" ]; then
  echo "present"
else
  # `go install …@v1.8.0` fails here: the proxy refuses the module's version list, which go install reads
  # for deprecation notices. A throwaway module that requires it builds the same command without that.
  work=$(mktemp -d)
  printf 'module sipbuild\n\ngo 1.26\n' > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/livekit/sip/cmd/livekit-sip"\n' > "$work/tools.go"
  (cd "$work" && go get "github.com/livekit/sip@$SIP_VERSION" \
    && CGO_ENABLED=1 go build -o "$work/livekit-sip" github.com/livekit/sip/cmd/livekit-sip)
  mv "$work/livekit-sip" "$BIN/livekit-sip-$SIP_VERSION"
  rm -rf "$work"
  echo "built"
fi

step "test agent worker (@livekit/agents $AGENTS_VERSION)"
installed=$(node -p "try { require('./test/real/agent/node_modules/@livekit/agents/package.json').version } catch { '' }")
if [ "$installed" = "$AGENTS_VERSION" ]; then
  echo "present"
else
  npm ci --prefix test/real/agent --no-audit --no-fund --loglevel=error
fi

step "done"
echo "binaries in $BIN:"
ls -1 "$BIN"
