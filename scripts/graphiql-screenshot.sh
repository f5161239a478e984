#!/usr/bin/env bash
# Takes a headless-Chromium screenshot of a page (e.g. the service's GraphiQL page).
#
#   scripts/graphiql-screenshot.sh URL OUT.png
#
# Env: WINDOW_SIZE (default 1280,800), VIRTUAL_TIME_BUDGET ms (default 5000),
#      CHROMIUM (default: chromium, then chromium-browser, on PATH),
#      NETLOG=FILE to also write Chromium's network log (every request it tried),
#      ALLOW_OTHER_HOSTS=1 to let Chromium resolve hosts other than URL's host.
# By default every host name except URL's own resolves to nothing, so neither the
# page nor Chromium's own background services (which call Google's update, time,
# accounts and autofill endpoints even with --disable-background-networking)
# can reach another host; a page request to another host then fails and shows up in
# NETLOG and in the page's behaviour instead of silently succeeding.
# Installs nothing: needs Debian's chromium (`apt-get install -y chromium`).
set -euo pipefail

usage() { echo "usage: $0 URL OUT.png" >&2; exit 2; }
[ $# -eq 2 ] || usage
url="$1"
out="$2"

chromium_bin="${CHROMIUM:-}"
if [ -z "$chromium_bin" ]; then
  for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then chromium_bin="$c"; break; fi
  done
fi
if [ -z "$chromium_bin" ] || ! command -v "$chromium_bin" >/dev/null 2>&1; then
  echo "graphiql-screenshot: chromium not found (install Debian's: apt-get update && apt-get install -y chromium)" >&2
  exit 127
fi

out_dir="$(dirname -- "$out")"
[ -d "$out_dir" ] || { echo "graphiql-screenshot: output directory '$out_dir' does not exist" >&2; exit 2; }
out_abs="$(cd "$out_dir" && pwd)/$(basename -- "$out")"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

extra=()
if [ "${ALLOW_OTHER_HOSTS:-0}" != 1 ]; then
  # host part of URL (strip scheme, userinfo, path, port; keep [v6] brackets)
  host="${url#*://}"; host="${host%%/*}"; host="${host##*@}"
  case "$host" in \[*) host="${host%%]*}]" ;; *) host="${host%%:*}" ;; esac
  [ -n "$host" ] || { echo "graphiql-screenshot: cannot find the host in URL '$url'" >&2; exit 2; }
  extra+=("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE $host")
fi
if [ -n "${NETLOG:-}" ]; then
  extra+=("--log-net-log=$NETLOG" "--net-log-capture-mode=Default")
fi

rm -f -- "$out_abs"
"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" \
  --window-size="${WINDOW_SIZE:-1280,800}" \
  --virtual-time-budget="${VIRTUAL_TIME_BUDGET:-5000}" \
  ${extra[@]+"${extra[@]}"} \
  --screenshot="$out_abs" "$url"

if [ ! -s "$out_abs" ]; then
  echo "graphiql-screenshot: chromium did not write $out_abs" >&2
  exit 1
fi
echo "graphiql-screenshot: wrote $out_abs" >&2
