#!/usr/bin/env bash
# Times the cascade reads against a running service holding examples/cascade_scale.sql's data:
# each query RUNS times (default 5), milliseconds per run and the SQL statements it cost.
#
#   DIRECTIVES_PUBLIC_READ=true DATABASE_URL=postgres://…/scale directives &
#   examples/cascade_timings.sh [http://127.0.0.1:8080/graphql]
set -euo pipefail
url="${1:-http://127.0.0.1:8080/graphql}"
runs="${RUNS:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

time_query() {
  local name="$1" query="$2" body times="" t
  body="$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$query")"
  for _ in $(seq 1 "$runs"); do
    t="$(curl -s -o "$out" -w '%{time_total}' -H 'content-type: application/json' -H 'X-Directives-Debug: sql' \
      ${TOKEN:+-H "Authorization: Bearer $TOKEN"} --data "$body" "$url")"
    times="$times $(python3 -c "print(round($t * 1000))")"
  done
  python3 - "$name" "$times" "$out" <<'PY'
import json, sys
name, times, path = sys.argv[1], sys.argv[2], sys.argv[3]
answer = json.load(open(path))
status = "errors: " + answer["errors"][0]["message"] if "errors" in answer else "ok"
print(f"{name:<48} ms:{times:<28} statements: {answer.get('extensions', {}).get('sqlStatements')}  {status}")
PY
}

day='asOf: "2026-11-22"'
time_query "overdue tasks, first page" "{ tasks(first: 20, filter: {status: [IN_PROGRESS_OVERDUE], $day}) { nodes { id } } }"
time_query "overdue tasks, totalCount" "{ tasks(first: 1, filter: {status: [IN_PROGRESS_OVERDUE], $day}) { totalCount } }"
time_query "one agency's overdue tasks, first 50" "{ tasks(first: 50, filter: {agencyCode: \"AG-7\", status: [IN_PROGRESS_OVERDUE], $day}) { nodes { id status } } }"
time_query "progress of the whole cascade" "{ documents(filter: {symbol: \"999-KL/TW\"}) { nodes { progress(includeDescendants: true, $day) { total overdue } } } }"
time_query "progressByAgency of the whole cascade" "{ documents(filter: {symbol: \"999-KL/TW\"}) { nodes { progressByAgency(includeDescendants: true, $day) { agency { code } progress { overdue } } } } }"
time_query "Agency.performance" "{ agency(code: \"AG-7\") { performance($day) { total overdue } } }"
time_query "descendants, first 50" "{ documents(filter: {symbol: \"999-KL/TW\"}) { nodes { descendants(first: 50) { totalCount nodes { depth } } } } }"
time_query "implementationCoverage over 100 agencies" "{ documents(filter: {symbol: \"999-KL/TW\"}) { nodes { implementationCoverage(expected: {kind: MINISTRY}) { coveredCount expectedCount } } } }"
time_query "search, words in every task" "{ search(query: \"thong tin doi ngoai\", first: 20) { totalCount nodes { score } } }"
time_query "search, one task" "{ search(query: \"nhiem vu so 123456\", first: 20) { totalCount nodes { score } } }"
time_query "search, a symbol" "{ search(query: \"999 KL TW\", first: 5) { nodes { score } } }"
