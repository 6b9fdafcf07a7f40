#!/usr/bin/env bash
# Load-tests the release build with wrk on SQLite and PostgreSQL and prints req/s and p50/p99
# per scenario. Two data sets per backend:
#   demo  the demo workspace (10k contacts, 1,200 deals …): read by id, filtered list of 50,
#         stage change (PATCH with a stage-rule check); then 10k activities on one contact
#         (its timeline's first page)
#   large the demo plus plain contacts up to 100k records (search) and then 1M contacts
#         (phone lookup)
# Budgets on 2 cores: read by id >= 10k req/s and list >= 3k req/s on SQLite, PostgreSQL within
# 2x (issue #2); stage change >= 2k req/s, search p99 <= 50 ms at 100k records, phone lookup
# p99 <= 5 ms at 1M contacts (issue #3), a timeline's first page p99 <= 10 ms with 10k items
# on the record (issue #5). BENCH_LARGE=0 skips the large data set.
set -euo pipefail
cd "$(dirname "$0")/.."
# CRM_BIN names another build (an A/B run of two versions on the same minutes).
bin="${CRM_BIN:-target/release/crm}"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-16}"
large="${BENCH_LARGE:-1}"
# BENCH_BACKENDS="postgres" (or "sqlite") runs one backend only; BENCH_ONLY=custom only the
# custom-field scenarios, BENCH_ONLY=import only the import of a contacts file of
# BENCH_IMPORT_ROWS rows (1,000,000 by default; issue #30's budgets).
pg_base="${CRM_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
work=$(mktemp -d)
db="crm_bench_$$"
# A PostgreSQL database of a stopped run is dropped too.
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; psql -q "$pg_base/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
export CRM_ADMIN_EMAIL=bench@example.com CRM_ADMIN_PASSWORD=bench-password-1 CRM_LOG=warn CRM_SPA_DIR=/nonexistent

cat > "$work/bench.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local token = os.getenv("TOKEN")
local mode = os.getenv("MODE")
local stage_a, stage_b = os.getenv("STAGE_A"), os.getenv("STAGE_B")
local segment = os.getenv("SEGMENT")
-- Three rules across fields and metrics (issue #29's count-preview budget).
local segment_rules = '{"rules":{"all":[{"field":"lifecycle_stage","op":"in","value":["customer","prospect"]},'
  .. '{"field":"rfm_group","op":"in","value":["champions","loyal","potential_loyalists"]},'
  .. '{"field":"last_purchase_at","op":"in_last_days","value":365}]}}'
local stages = { "lead", "prospect", "customer", "churned" }
local words = { "sara", "karimi", "rezaei", "pars", "hosseini", "negar", "invoice", "tehran" }
local i = 0
local function auth() return { ["Authorization"] = "Bearer " .. token } end
request = function()
  i = i + 1
  local id = ids[(i % #ids) + 1]
  if mode == "get" then
    return wrk.format("GET", "/api/v1/contacts/" .. id, auth())
  elseif mode == "list" then
    return wrk.format("GET", "/api/v1/contacts?limit=50&sort=-created_at&lifecycle_stage=" .. stages[(i % #stages) + 1], auth())
  elseif mode == "stage" then
    local h = auth()
    h["If-Match"] = "*"
    h["Content-Type"] = "application/json"
    -- Each deal alternates between two stages that both require amount and close date.
    local stage = (math.floor(i / #ids) % 2 == 0) and stage_a or stage_b
    return wrk.format("PATCH", "/api/v1/deals/" .. id, h, '{"stage_id":"' .. stage .. '"}')
  elseif mode == "timeline" then
    return wrk.format("GET", "/api/v1/contacts/" .. id .. "/timeline?limit=50", auth())
  elseif mode == "timeline_channel" then
    return wrk.format("GET", "/api/v1/contacts/" .. id .. "/timeline?limit=50&channel=call,meeting", auth())
  elseif mode == "search" then
    -- Names and words, and phone numbers in the spellings people type.
    local n = (i * 7919) % 100000
    local q
    if i % 3 == 0 then q = string.format("0935%07d", n)
    elseif i % 3 == 1 then q = string.format("%%2B98%%20935%%20%07d", n)
    else q = words[(i % #words) + 1] end
    return wrk.format("GET", "/api/v1/search?q=" .. q, auth())
  elseif mode == "rfm" then
    return wrk.format("GET", "/api/v1/analytics/rfm", auth())
  elseif mode == "cohorts" then
    return wrk.format("GET", "/api/v1/analytics/cohorts?acquisition_cost=500000", auth())
  elseif mode == "metrics" then
    return wrk.format("GET", "/api/v1/contacts/" .. id .. "/metrics", auth())
  elseif mode == "likely" then
    return wrk.format("GET", "/api/v1/analytics/propensity/contacts?limit=50", auth())
  elseif mode == "propensity" then
    return wrk.format("GET", "/api/v1/contacts/" .. id .. "/propensity", auth())
  elseif mode == "segment_preview" then
    local h = auth()
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/segments/preview", h, segment_rules)
  elseif mode == "segment_members" then
    return wrk.format("GET", "/api/v1/contacts?limit=50&segment=" .. segment, auth())
  elseif mode == "custom_list" then
    -- One tier, a renewal window of three months, sorted by renewal date (issue #28's budget).
    local tiers = { "gold", "silver", "bronze" }
    local m = (i % 9) + 1
    local from = string.format("2027-%02d-01", m)
    local to = string.format("2027-%02d-01", m + 3)
    return wrk.format("GET", "/api/v1/contacts?limit=50&custom.account_tier=" .. tiers[(i % 3) + 1]
      .. "&custom.next_renewal%5Bgte%5D=" .. from .. "&custom.next_renewal%5Blt%5D=" .. to .. "&sort=custom.next_renewal", auth())
  else
    local n = (i * 104729) % 1000000
    local q
    if i % 3 == 0 then q = string.format("0935%07d", n)
    elseif i % 3 == 1 then q = string.format("%%2B98%%20935%%20%03d%%20%04d", math.floor(n / 10000), n % 10000)
    else q = string.format("0098935%07d", n) end
    return wrk.format("GET", "/api/v1/phone-lookup?number=" .. q, auth())
  end
end
LUA

port=0
pid=0
start_server() {
  local url="$1"
  port=$((18000 + RANDOM % 1000))
  DATABASE_URL="$url" CRM_LISTEN="127.0.0.1:$port" "$bin" serve >> "$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.5; done
  echo "the server did not start"; tail -20 "$work/server.log"; exit 1
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
token() {
  curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password-1"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
run() {
  local name="$1" label="$2" mode="$3" token="$4" conns="${5:-$connections}"
  # BENCH_ONLY=custom (or analytics) runs only those scenarios (the data is made all the same).
  if [ "${BENCH_ONLY:-}" = custom ] && [[ "$label" != *custom* ]]; then return; fi
  if [ "${BENCH_ONLY:-}" = analytics ] && [[ "$label" != *analytics* ]]; then return; fi
  out=$(IDS_FILE="$work/ids" TOKEN="$token" MODE="$mode" STAGE_A="${STAGE_A:-}" STAGE_B="${STAGE_B:-}" SEGMENT="${SEGMENT:-}" \
    wrk -t1 -c"$conns" -d"$duration" --latency -s "$work/bench.lua" "http://127.0.0.1:$port" 2>&1)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-10s %-40s %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" "$label" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}" | tee -a "$work/results"
}
ids_from() { grep -oE '"id":"[0-9a-f-]{36}"' | cut -d'"' -f4; }
# One long request, timed, with the server's peak memory so far (VmHWM).
timed() {
  local name="$1" label="$2"; shift 2
  local secs
  secs=$(curl -s -o "$work/timed.out" -w '%{time_total}' "$@") || secs="failed"
  local rss
  rss=$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$pid/status" 2>/dev/null)
  printf '%-10s %-40s %10s s   peak RSS %s   %s\n' "$name" "$label" "$secs" "$rss" "$(head -c 160 "$work/timed.out")" | tee -a "$work/results"
}

# A contacts file of $1 rows in the layout of a HubSpot export: names, an email, two phones,
# one of 20,000 companies, two tags, a lifecycle stage.
import_file() {
  awk -v n="$1" 'BEGIN {
    print "First Name,Last Name,Email,Mobile Phone Number,Phone Number,Company Name,Tags,Lifecycle Stage"
    split("Sara,Negar,Reza,Ali,Maryam,Omid,Leila,Hamid", f, ",")
    split("Karimi,Rezaei,Hosseini,Ahmadi,Moradi,Jafari,Kazemi,Rahimi", l, ",")
    split("Subscriber,Lead,Marketing Qualified Lead,Opportunity,Customer", st, ",")
    for (i = 1; i <= n; i++) {
      printf "%s,%s,imp%d@example.org,0912%07d,021%08d,Company %d,\"imported;wave %d\",%s\n", \
        f[i % 8 + 1], l[int(i / 8) % 8 + 1], i, i, i, i % 20000, i % 5, st[i % 5 + 1]
    }
  }' > "$2"
}
# Polls an import until it leaves `running`/`queued`; prints its seconds and its status.
import_wait() {
  local id="$1" t="$2" started status
  started=$(date +%s.%N)
  while :; do
    status=$(curl -sf "http://127.0.0.1:$port/api/v1/imports/$id" -H "authorization: Bearer $t" | grep -oE '"status":"[a-z_]+"' | head -1 | cut -d'"' -f4 || true)
    case "$status" in queued|running) sleep 0.2 ;; *) break ;; esac
  done
  echo "$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" "${status:-unknown}"
}
# Issue #30's budgets: dry run and import of a contacts CSV (rows/s), peak RSS, the duplicate
# scan of what it wrote, undo.
import_scenario() {
  local name="$1" rows="${BENCH_IMPORT_ROWS:-1000000}"
  if [ -n "${BENCH_ONLY:-}" ] && [ "${BENCH_ONLY}" != import ]; then return; fi
  echo "== $name: importing a contacts file of $rows rows into an empty workspace"
  import_file "$rows" "$work/import.csv"
  start_server "$2"
  local t id secs status
  t=$(token)
  id=$(curl -sf "http://127.0.0.1:$port/api/v1/imports?file_name=bench.csv" -H "authorization: Bearer $t" \
    --data-binary @"$work/import.csv" | grep -oE '"id":"[0-9a-f-]{36}"' | head -1 | cut -d'"' -f4 || true)
  if [ -z "$id" ]; then echo "the upload of the import file failed"; stop_server; return; fi
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/imports/$id/dry-run" -H "authorization: Bearer $t" -H 'content-type: application/json' -d '{}'
  read -r secs status < <(import_wait "$id" "$t")
  import_line "$name" "import: dry run, $rows rows" "$rows" "$secs" "$status"
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/imports/$id/run" -H "authorization: Bearer $t" -H 'content-type: application/json' -d '{}'
  read -r secs status < <(import_wait "$id" "$t")
  import_line "$name" "import: run, $rows rows" "$rows" "$secs" "$status"
  # Issue #30's duplicate scan (budget: 1,000,000 contacts in 30 s) over what the run wrote:
  # unique emails and phones, and 64 names over companies of rows / 20,000 contacts each.
  timed "$name" "duplicates: scan, $rows contacts" -X POST "http://127.0.0.1:$port/api/v1/duplicates/scan" -H "authorization: Bearer $t"
  timed "$name" "import: undo, $rows rows" -X POST "http://127.0.0.1:$port/api/v1/imports/$id/undo" -H "authorization: Bearer $t"
  stop_server
}
# A job's rate, or FAILED when it did not end done.
import_line() {
  local rss rate
  rss=$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$pid/status" 2>/dev/null)
  rate=$(awk -v n="$3" -v s="$4" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  [ "$5" = done ] || rate="FAILED"
  printf '%-10s %-40s %10s rows/s   %s s   peak RSS %s   %s\n' "$1" "$2" "$rate" "$4" "$rss" "$5" | tee -a "$work/results"
}

run_backend() {
  local name="$1" url="$2"
  if [ "${BENCH_ONLY:-}" = import ]; then return; fi
  echo "== $name: seeding the demo workspace and starting the release server"
  CRM_DEMO_DATA=true start_server "$url"
  local t
  t=$(token)
  curl -sf "http://127.0.0.1:$port/api/v1/contacts?limit=200" -H "authorization: Bearer $t" \
    | grep -oE '"id":"[0-9a-f-]{36}","first_name"' | cut -d'"' -f4 > "$work/ids"
  run "$name" "read contact by id" get "$t"
  run "$name" "filtered list of 50" list "$t"
  # Open deals with an amount and a close date, and the two stages they alternate between.
  local pipelines
  pipelines=$(curl -sf "http://127.0.0.1:$port/api/v1/pipelines" -H "authorization: Bearer $t")
  STAGE_A=$(echo "$pipelines" | grep -oE '"id":"[0-9a-f-]{36}","name":"Proposal"' | cut -d'"' -f4)
  STAGE_B=$(echo "$pipelines" | grep -oE '"id":"[0-9a-f-]{36}","name":"Negotiation"' | cut -d'"' -f4)
  export STAGE_A STAGE_B
  local sales
  sales=$(echo "$pipelines" | grep -oE '"id":"[0-9a-f-]{36}","name":"Sales"' | cut -d'"' -f4)
  curl -sf "http://127.0.0.1:$port/api/v1/deals?status=open&pipeline_id=$sales&limit=200" -H "authorization: Bearer $t" \
    | grep -oE '"id":"[0-9a-f-]{36}","name"' | cut -d'"' -f4 > "$work/ids"
  run "$name" "stage change (PATCH, rule check)" stage "$t"
  stop_server
  echo "== $name: one contact with 10,000 more timeline items"
  DATABASE_URL="$url" "$bin" seed --companies 0 --contacts 0 --timeline-items 10000 2>> "$work/server.log" \
    | sed -n 's/^timeline contact: //p' > "$work/ids"
  start_server "$url"
  t=$(token)
  run "$name" "timeline first page, 10k items" timeline "$t"
  run "$name" "timeline first page, 10k items, 2 clients" timeline "$t" 2
  run "$name" "timeline by channel, 10k items, 2 clients" timeline_channel "$t" 2
  stop_server
  echo "== $name: a contact with a value in each of 50 more custom fields, and one with none"
  DATABASE_URL="$url" "$bin" seed --companies 0 --contacts 0 --wide-contact 50 > "$work/wide" 2>> "$work/server.log"
  start_server "$url"
  t=$(token)
  sed -n 's/^plain contact: //p' "$work/wide" > "$work/ids"
  run "$name" "read contact, no custom values" get "$t" 1
  sed -n 's/^wide contact: //p' "$work/wide" > "$work/ids"
  run "$name" "read contact, 52 custom values" get "$t" 1
  stop_server
  if [ "$large" = 1 ]; then
    echo "== $name: adding plain contacts up to 100k records"
    DATABASE_URL="$url" "$bin" seed --companies 0 --contacts 0 --bulk-contacts 85000 >> "$work/server.log" 2>&1
    start_server "$url"
    t=$(token)
    run "$name" "search, 100k records" search "$t"
    # Latency without queueing: two clients for two cores.
    run "$name" "search, 100k records, 2 clients" search "$t" 2
    stop_server
    echo "== $name: adding plain contacts up to 1M contacts"
    DATABASE_URL="$url" "$bin" seed --companies 0 --contacts 0 --bulk-contacts 905000 >> "$work/server.log" 2>&1
    start_server "$url"
    t=$(token)
    run "$name" "phone lookup, 1M contacts" phone "$t"
    run "$name" "phone lookup, 1M contacts, 2 clients" phone "$t" 2
    run "$name" "custom choice + date range, sorted, 1M" custom_list "$t"
    run "$name" "custom choice + date range, sorted, 1M, 2 cl." custom_list "$t" 2
    stop_server
    local orders="${BENCH_ORDERS:-5000000}"
    echo "== $name: adding $orders orders from the 1M contacts (analytics)"
    DATABASE_URL="$url" "$bin" seed --companies 0 --contacts 0 --bulk-orders "$orders" >> "$work/server.log" 2>&1
    start_server "$url"
    t=$(token)
    timed "$name" "analytics: recompute, 1M contacts" -X POST "http://127.0.0.1:$port/api/v1/analytics/metrics/recompute" -H "authorization: Bearer $t"
    timed "$name" "analytics: CLV fit, 1M contacts" -X POST "http://127.0.0.1:$port/api/v1/analytics/clv" -H "authorization: Bearer $t" -H 'content-type: application/json' -d '{}'
    timed "$name" "analytics: propensity training, 1M contacts" -X POST "http://127.0.0.1:$port/api/v1/analytics/propensity" -H "authorization: Bearer $t" -H 'content-type: application/json' -d '{}'
    curl -sf "http://127.0.0.1:$port/api/v1/orders?limit=200" -H "authorization: Bearer $t" | grep -oE '"contact_id":"[0-9a-f-]{36}"' | cut -d'"' -f4 > "$work/ids"
    run "$name" "analytics: RFM grid, 1M contacts" rfm "$t" 2
    run "$name" "analytics: cohorts, 1M contacts" cohorts "$t" 2
    run "$name" "analytics: a customer's metrics, 1M" metrics "$t" 2
    run "$name" "analytics: most likely buyers, 1M" likely "$t" 2
    run "$name" "analytics: a contact's propensity, 1M" propensity "$t" 2
    SEGMENT=$(curl -sf "http://127.0.0.1:$port/api/v1/segments" -H "authorization: Bearer $t" -H 'content-type: application/json' \
      -d '{"name":"bench","rules":{"all":[{"field":"lifecycle_stage","op":"in","value":["customer","prospect"]},{"field":"rfm_group","op":"in","value":["champions","loyal","potential_loyalists"]},{"field":"last_purchase_at","op":"in_last_days","value":365}]}}' \
      | grep -oE '"id":"[0-9a-f-]{36}"' | head -1 | cut -d'"' -f4)
    run "$name" "analytics: segment count preview, 3 rules, 1M" segment_preview "$t" 1
    run "$name" "analytics: segment members, first page, 1M" segment_members "$t" 1
    stop_server
  fi
}

backends="${BENCH_BACKENDS:-sqlite postgres}"
if [[ " $backends " == *" sqlite "* ]]; then
  run_backend sqlite "sqlite://$work/bench.db"
  import_scenario sqlite "sqlite://$work/import.db"
fi
if [[ " $backends " != *" postgres "* ]]; then
  :
elif psql "$pg_base/postgres" -Atc 'select 1' >/dev/null 2>&1; then
  psql -q "$pg_base/postgres" -c "CREATE DATABASE $db"
  # libpq prefers TLS when the server offers it, which on loopback only costs CPU (~12% of a
  # stage change here): a PostgreSQL on the same machine is best reached without it.
  run_backend postgres "$pg_base/$db?sslmode=disable"
  psql -q "$pg_base/postgres" -c "DROP DATABASE $db WITH (FORCE)"
  psql -q "$pg_base/postgres" -c "CREATE DATABASE $db"
  import_scenario postgres "$pg_base/$db?sslmode=disable"
  psql -q "$pg_base/postgres" -c "DROP DATABASE $db WITH (FORCE)"
else
  echo "PostgreSQL at $pg_base is not reachable: skipping its scenarios"
fi
echo
echo "== results ($(nproc) cores, $connections connections, $duration each)"
cat "$work/results"
