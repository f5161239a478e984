#!/usr/bin/env bash
# The browser tests: headless Chromium against a started `directives serve`.
#
#   tests/browser/run.sh
#
# Installs Debian's chromium when /usr/bin/chromium is missing (as root, with apt-get), runs
# `npm ci` here, starts the debug binary that `cargo test` built (target/debug/directives, or
# DIRECTIVES_BIN) on a free port over a new SQLite database with the sample hierarchy, in
# development mode, runs every *.test.mjs here with node's test runner, stops the server, and
# exits non-zero on any failure. Screenshots go to target/browser-screenshots/ (or
# DIRECTIVES_SCREENSHOTS).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${DIRECTIVES_BIN:-$ROOT/target/debug/directives}"
SHOTS="${DIRECTIVES_SCREENSHOTS:-$ROOT/target/browser-screenshots}"

say() { printf '    %s\n' "$*"; }
die() { printf 'browser tests: %s\n' "$*" >&2; exit 1; }

[ -x "$BIN" ] || die "$BIN is missing: build it first (cargo build, or cargo test)"

if [ ! -x /usr/bin/chromium ]; then
  [ "$(id -u)" = 0 ] || die "/usr/bin/chromium is missing: install Debian's chromium (apt-get install chromium)"
  say "installing Debian's chromium"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || die "apt-get install chromium failed"
fi
say "$(/usr/bin/chromium --version 2>/dev/null | tail -n 1)"

say "npm ci in tests/browser"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"

TMP="$(mktemp -d)"
SERVER=""
stop() {
  local rc=$?
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Development mode (no JWT key): the server prints an ADMIN token and GraphiQL starts with it.
env -u DIRECTIVES_JWT_SECRET -u DIRECTIVES_JWT_SECRET_FILE -u DIRECTIVES_JWT_PUBLIC_KEYS -u DIRECTIVES_JWT_JWKS_FILE \
  DATABASE_URL="sqlite://$TMP/directives.db?mode=rwc" RUST_LOG=warn \
  "$BIN" serve --bind 127.0.0.1:0 --migrate --seed-sample >"$TMP/server.log" 2>&1 &
SERVER=$!

PORT=""
for _ in $(seq 1 600); do
  PORT="$(sed -n 's/^directives is listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/server.log" | head -n 1)"
  [ -n "$PORT" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$TMP/server.log" >&2; die "the server stopped before it listened"; }
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$TMP/server.log" >&2; die "the server did not start listening within 60 s"; }
URL="http://127.0.0.1:$PORT"
ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/readyz"; }
for _ in $(seq 1 100); do
  ready && break
  sleep 0.1
done
ready || { cat "$TMP/server.log" >&2; die "$URL/readyz does not answer 200"; }
TOKEN="$(sed -n 's/^Authorization: Bearer \(.*\)$/\1/p' "$TMP/server.log" | head -n 1)"
[ -n "$TOKEN" ] || die "the server printed no development token"
say "server: $URL (pid $SERVER, database $TMP/directives.db)"

mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
set +e
(cd "$HERE" && DIRECTIVES_URL="$URL" DIRECTIVES_TOKEN="$TOKEN" DIRECTIVES_SCREENSHOTS="$SHOTS" \
  node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs)
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  say "server log:"
  tail -n 40 "$TMP/server.log" >&2
  die "the browser tests failed"
fi
say "screenshots in $SHOTS:"
for f in "$SHOTS"/*.png; do say "  $f"; done
