#!/usr/bin/env bash
# Times the duplicate scan (issue #30) over N bulk contacts of `crm seed --bulk-contacts`
# (unique emails and phones), on SQLite; COMPANIES=k spreads them over k companies first (by
# SQL), so names are compared within companies. Usage: scripts/bench-duplicates.sh [N], after
# `cargo build --release -p crm-server`.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
work=$(mktemp -d)
url="sqlite://$work/s.db"
export CRM_ADMIN_EMAIL=bench@example.com CRM_ADMIN_PASSWORD=bench-password-1 CRM_LOG=warn CRM_SPA_DIR=/nonexistent
port=$((19000 + RANDOM % 500))
start() { DATABASE_URL="$url" CRM_LISTEN="127.0.0.1:$port" target/release/crm serve >> "$work/log" 2>&1 & pid=$!; for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.5; done; }
start; kill $pid; wait $pid 2>/dev/null || true
s=$(date +%s.%N)
DATABASE_URL="$url" target/release/crm seed --companies 0 --contacts 0 --bulk-contacts "$n" >> "$work/log" 2>&1
echo "seeded $n in $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
if [ -n "${COMPANIES:-}" ]; then
  python3 - "$work/s.db" "$COMPANIES" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
ws = c.execute("select id from workspaces limit 1").fetchone()[0]
c.executemany("insert into companies (id, workspace_id, name, sort_name, emails, phones, tags, search_text, version, created_at, updated_at, custom) values (?, ?, ?, ?, '[]', '[]', '[]', '', 1, 0, 0, '{}')",
  [(f"co-{i}", ws, f"Company {i}", f"company {i}") for i in range(n)])
c.execute(f"update contacts set company_id = 'co-' || (rowid % {n})")
c.commit()
print("companies:", n, "names:", c.execute("select count(distinct first_name || ' ' || last_name) from contacts").fetchone()[0])
PY
fi
start
t=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' -d '{"email":"bench@example.com","password":"bench-password-1"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
for i in 1 2; do
  curl -s -o "$work/out" -w "scan $i: %{time_total} s  " -X POST "http://127.0.0.1:$port/api/v1/duplicates/scan" -H "authorization: Bearer $t"
  awk '/VmHWM/ {printf "peak RSS %.0f MiB  ", $2/1024}' /proc/$pid/status; cat "$work/out"; echo
done
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$work"
