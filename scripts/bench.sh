#!/usr/bin/env bash
# Load-tests the release build with wrk on SQLite and PostgreSQL (10k seeded contacts) and
# prints req/s and p50/p99 per scenario. Budgets (issue #2, 2 cores): read by id >= 10k req/s,
# filtered list of 50 >= 3k req/s on SQLite; PostgreSQL within 2x.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/crm
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-16}"
pg_base="${CRM_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/auth.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local token = os.getenv("TOKEN")
local mode = os.getenv("MODE")
local stages = { "lead", "prospect", "customer", "churned" }
local i = 0
request = function()
  i = i + 1
  local path
  if mode == "get" then
    path = "/api/v1/contacts/" .. ids[(i % #ids) + 1]
  else
    path = "/api/v1/contacts?limit=50&sort=-created_at&lifecycle_stage=" .. stages[(i % #stages) + 1]
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
LUA

run_backend() {
  local name="$1" url="$2"
  local port=$((18000 + RANDOM % 1000))
  echo "== $name: seeding 10k contacts and starting the release server"
  DATABASE_URL="$url" CRM_ADMIN_EMAIL=bench@example.com CRM_ADMIN_PASSWORD=bench-password-1 CRM_DEMO_DATA=true \
    CRM_LISTEN="127.0.0.1:$port" CRM_LOG=warn CRM_SPA_DIR=/nonexistent "$bin" serve > "$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
  local token
  token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password-1"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  curl -sf "http://127.0.0.1:$port/api/v1/contacts?limit=200" -H "authorization: Bearer $token" \
    | grep -oE '"id":"[0-9a-f-]{36}","first_name"' | cut -d'"' -f4 > "$work/ids"
  for mode in get list; do
    local label
    label=$([ "$mode" = get ] && echo "read contact by id" || echo "filtered list of 50")
    out=$(IDS_FILE="$work/ids" TOKEN="$token" MODE="$mode" wrk -t1 -c"$connections" -d"$duration" --latency \
      -s "$work/auth.lua" "http://127.0.0.1:$port" 2>&1)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    printf '%-10s %-22s %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" "$label" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}" | tee -a "$work/results"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_backend sqlite "sqlite://$work/bench.db"
if psql "$pg_base/postgres" -Atc 'select 1' >/dev/null 2>&1; then
  db="crm_bench_$$"
  psql -q "$pg_base/postgres" -c "CREATE DATABASE $db"
  run_backend postgres "$pg_base/$db"
  psql -q "$pg_base/postgres" -c "DROP DATABASE $db WITH (FORCE)"
else
  echo "PostgreSQL at $pg_base is not reachable: skipping its scenarios"
fi
echo
echo "== results ($(nproc) cores, $connections connections, $duration each)"
cat "$work/results"
