#!/usr/bin/env bash
# Vendors the browser assets that the service embeds in its binary, so that its
# pages (GraphiQL, the cascade diagram) make no request to any other host.
#
#   scripts/fetch-assets.sh SET           download the pinned packages of SET and
#                                         (re)write its vendored files, LICENSE.*
#                                         and MANIFEST.txt
#   scripts/fetch-assets.sh SET --check   download them again into a temp dir and
#                                         verify that MANIFEST.txt and the committed
#                                         files match them; writes nothing
#
# SET is one of:
#   graphiql  api/assets/graphiql/  GraphiQL 3.9 with React 18 and graphql-ws (UMD)
#   mermaid   api/assets/mermaid/   Mermaid's browser build, stored gzip-compressed
#
# Needs: npm (only the npm registry is used, through `npm pack`), node, sha256sum,
# tar, gzip. Hand-written pages beside the assets (index.html) are never touched.
# A file whose FILES entry ends in `gz` is stored as `gzip -9n` of the package's
# file; MANIFEST.txt records the sha256 of the package's file itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SET="${1:-}"
[ $# -ge 1 ] && shift
case "$SET" in
  graphiql)
    DEST="$ROOT/api/assets/graphiql"
    HEADER=(
      "# GraphiQL explorer assets vendored by scripts/fetch-graphiql.sh; verify with --check."
      "# Served by the API under /graphiql/assets/<file>. Columns: file, npm package@version, path in the package tarball, sha256."
    )
    # Pinned packages: name, version, and the registry's sha512 integrity of the tarball.
    # To upgrade: change version + integrity (`npm view NAME@VERSION dist.integrity`),
    # rerun this script, and run the browser tests (tests/browser/run.sh).
    PACKAGES=(
      "graphiql     3.9.0  sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA=="
      "react        18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
      "react-dom    18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
      "graphql-ws   5.16.2 sha512-E1uccsZxt/96jH/OwmLPuXMACILs76pKF2i3W861LpKBCYtGIyPQGtWLuBLkND4ox1KHns70e83PS4te50nvPQ=="
    )
    # Vendored files: destination name, package, path inside the package tarball.
    FILES=(
      "graphiql.min.js              graphiql   package/graphiql.min.js"
      "graphiql.min.css             graphiql   package/graphiql.min.css"
      "react.production.min.js      react      package/umd/react.production.min.js"
      "react-dom.production.min.js  react-dom  package/umd/react-dom.production.min.js"
      "graphql-ws.min.js            graphql-ws package/umd/graphql-ws.min.js"
      "LICENSE.graphiql             graphiql   package/LICENSE"
      "LICENSE.react                react      package/LICENSE"
      "LICENSE.react-dom            react-dom  package/LICENSE"
      "LICENSE.graphql-ws           graphql-ws package/LICENSE.md"
    )
    ;;
  mermaid)
    DEST="$ROOT/api/assets/mermaid"
    HEADER=(
      "# Mermaid browser build vendored by scripts/fetch-assets.sh mermaid; verify with --check."
      "# Served by the API under /cascade/assets/<file> (gzip-compressed). Columns: file, npm package@version, path in the package tarball, sha256 of that file."
    )
    # @mermaid-js/tiny is Mermaid without the diagrams the service never draws (mindmaps,
    # architecture, KaTeX): a third smaller than mermaid.min.js.
    PACKAGES=(
      "@mermaid-js/tiny 12.0.0 sha512-ZW9YXy+3tSLPscBT+NnQO0K0qYH7BGES5nExl6Snoygey7xd2N0cO7Nq30N5k/u7gIeYoCrldyVy+VTCMWrNDQ=="
    )
    FILES=(
      "mermaid.tiny.js.gz  @mermaid-js/tiny  package/dist/mermaid.tiny.js  gz"
      "LICENSE.mermaid     @mermaid-js/tiny  package/LICENSE"
    )
    ;;
  -h|--help|"") sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [ -n "$SET" ]; exit $? ;;
  *) echo "fetch-assets: unknown set '$SET' (graphiql or mermaid)" >&2; exit 2 ;;
esac
MANIFEST="$DEST/MANIFEST.txt"

die() { echo "fetch-assets: $*" >&2; exit 1; }

MODE=fetch
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  *) die "unknown argument: $1 (use --check or nothing)" ;;
esac
[ $# -le 1 ] || die "too many arguments"

for tool in npm node sha256sum tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not found"
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

declare -A VERSION=()
for entry in "${PACKAGES[@]}"; do
  read -r name version integrity <<<"$entry"
  VERSION[$name]="$version"
  dir="$TMP/pack/${name//\//_}"
  mkdir -p "$dir"
  echo "fetch-assets: npm pack $name@$version" >&2
  tgz="$(cd "$dir" && npm pack "$name@$version" --ignore-scripts --silent 2>/dev/null | tail -n 1)"
  [ -n "$tgz" ] && [ -f "$dir/$tgz" ] || die "npm pack $name@$version failed"
  actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$dir/$tgz")"
  [ "$actual" = "$integrity" ] || die "$name@$version tarball integrity mismatch: got $actual, pinned $integrity"
  mkdir -p "$TMP/x/$name"
  tar -xzf "$dir/$tgz" -C "$TMP/x/$name"
done

# Build the expected manifest (and staged files) from the fresh download.
mkdir -p "$TMP/out"
{
  printf '%s\n' "${HEADER[@]}"
  for entry in "${FILES[@]}"; do
    read -r file pkg inner gz <<<"$entry"
    src="$TMP/x/$pkg/$inner"
    [ -f "$src" ] || die "$pkg@${VERSION[$pkg]} has no $inner"
    if [ "${gz:-}" = gz ]; then gzip -9nc "$src" >"$TMP/out/$file"; else cp "$src" "$TMP/out/$file"; fi
    sum="$(sha256sum "$src" | cut -d' ' -f1)"
    printf '%-28s %-20s %-45s %s\n' "$file" "$pkg@${VERSION[$pkg]}" "$inner" "$sum"
  done
} >"$TMP/out/MANIFEST.txt"

if [ "$MODE" = fetch ]; then
  mkdir -p "$DEST"
  for entry in "${FILES[@]}"; do
    read -r file _ <<<"$entry"
    install -m 0644 "$TMP/out/$file" "$DEST/$file"
  done
  install -m 0644 "$TMP/out/MANIFEST.txt" "$MANIFEST"
  echo "fetch-assets: wrote $(( ${#FILES[@]} + 1 )) files to ${DEST#"$ROOT"/}" >&2
  exit 0
fi

# --check
fail=0
[ -f "$MANIFEST" ] || die "missing ${MANIFEST#"$ROOT"/}; run scripts/fetch-graphiql.sh"
if ! diff -u "$MANIFEST" "$TMP/out/MANIFEST.txt" >&2; then
  echo "fetch-assets: MANIFEST.txt differs from the pinned packages (diff above: - committed, + upstream)" >&2
  fail=1
fi
# Every committed file listed in the committed manifest must have the listed sha256.
while read -r file pkgver inner sum; do
  case "$file" in ''|'#'*) continue ;; esac
  if [ ! -f "$DEST/$file" ]; then
    echo "fetch-assets: MISSING $file ($pkgver $inner)" >&2; fail=1; continue
  fi
  case "$file" in
    *.gz) got="$(gzip -dc "$DEST/$file" | sha256sum | cut -d' ' -f1)" ;;
    *) got="$(sha256sum "$DEST/$file" | cut -d' ' -f1)" ;;
  esac
  if [ "$got" != "$sum" ]; then
    echo "fetch-assets: MISMATCH $file: sha256 $got, manifest says $sum ($pkgver $inner)" >&2; fail=1
  else
    echo "ok  $file  $pkgver  $sum"
  fi
done <"$MANIFEST"
if [ "$fail" -ne 0 ]; then
  echo "fetch-assets: check FAILED" >&2
  exit 1
fi
echo "fetch-assets: check passed: committed assets match the pinned npm packages" >&2
