#!/usr/bin/env bash
# Vendors the GraphiQL explorer's browser assets into api/assets/graphiql/ so the
# service can embed them in its binary and serve GraphiQL with no request to any
# other host.
#
#   scripts/fetch-graphiql.sh           download the pinned packages and (re)write
#                                       the vendored files, LICENSE.* and MANIFEST.txt
#   scripts/fetch-graphiql.sh --check   download the pinned packages again into a
#                                       temp dir and verify that MANIFEST.txt and the
#                                       committed files match them; writes nothing
#
# Needs: npm (only the npm registry is used, through `npm pack`), node, sha256sum, tar.
# api/assets/graphiql/index.html is hand-written and never touched by this script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/api/assets/graphiql"
MANIFEST="$DEST/MANIFEST.txt"

# Pinned packages: name, version, and the registry's sha512 integrity of the tarball.
# To upgrade: change version + integrity (`npm view NAME@VERSION dist.integrity`),
# rerun this script, and check the page again (scripts/graphiql-screenshot.sh).
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

die() { echo "fetch-graphiql: $*" >&2; exit 1; }

MODE=fetch
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (use --check or nothing)" ;;
esac
[ $# -le 1 ] || die "too many arguments"

for tool in npm node sha256sum tar; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not found"
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

declare -A VERSION=()
for entry in "${PACKAGES[@]}"; do
  read -r name version integrity <<<"$entry"
  VERSION[$name]="$version"
  mkdir -p "$TMP/pack/$name"
  echo "fetch-graphiql: npm pack $name@$version" >&2
  tgz="$(cd "$TMP/pack/$name" && npm pack "$name@$version" --ignore-scripts --silent 2>/dev/null | tail -n 1)"
  [ -n "$tgz" ] && [ -f "$TMP/pack/$name/$tgz" ] || die "npm pack $name@$version failed"
  actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$TMP/pack/$name/$tgz")"
  [ "$actual" = "$integrity" ] || die "$name@$version tarball integrity mismatch: got $actual, pinned $integrity"
  mkdir -p "$TMP/x/$name"
  tar -xzf "$TMP/pack/$name/$tgz" -C "$TMP/x/$name"
done

# Build the expected manifest (and staged files) from the fresh download.
mkdir -p "$TMP/out"
{
  echo "# GraphiQL explorer assets vendored by scripts/fetch-graphiql.sh; verify with --check."
  echo "# Served by the API under /graphiql/assets/<file>. Columns: file, npm package@version, path in the package tarball, sha256."
  for entry in "${FILES[@]}"; do
    read -r file pkg inner <<<"$entry"
    src="$TMP/x/$pkg/$inner"
    [ -f "$src" ] || die "$pkg@${VERSION[$pkg]} has no $inner"
    cp "$src" "$TMP/out/$file"
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
  echo "fetch-graphiql: wrote $(( ${#FILES[@]} + 1 )) files to ${DEST#"$ROOT"/}" >&2
  exit 0
fi

# --check
fail=0
[ -f "$MANIFEST" ] || die "missing ${MANIFEST#"$ROOT"/}; run scripts/fetch-graphiql.sh"
if ! diff -u "$MANIFEST" "$TMP/out/MANIFEST.txt" >&2; then
  echo "fetch-graphiql: MANIFEST.txt differs from the pinned packages (diff above: - committed, + upstream)" >&2
  fail=1
fi
# Every committed file listed in the committed manifest must have the listed sha256.
while read -r file pkgver inner sum; do
  case "$file" in ''|'#'*) continue ;; esac
  if [ ! -f "$DEST/$file" ]; then
    echo "fetch-graphiql: MISSING $file ($pkgver $inner)" >&2; fail=1; continue
  fi
  got="$(sha256sum "$DEST/$file" | cut -d' ' -f1)"
  if [ "$got" != "$sum" ]; then
    echo "fetch-graphiql: MISMATCH $file: sha256 $got, manifest says $sum ($pkgver $inner)" >&2; fail=1
  else
    echo "ok  $file  $pkgver  $sum"
  fi
done <"$MANIFEST"
if [ "$fail" -ne 0 ]; then
  echo "fetch-graphiql: check FAILED" >&2
  exit 1
fi
echo "fetch-graphiql: check passed: committed assets match the pinned npm packages" >&2
