# The CRM's tasks. `./dev <recipe>` installs `just` first when it is missing.

set shell := ["bash", "-euo", "pipefail", "-c"]

export CARGO_TERM_COLOR := "never"

# List the recipes.
default:
    @just --list

# Build everything (release) and start on SQLite with demo data at http://127.0.0.1:8080.
up: web
    cargo build -q --release -p crm-server
    mkdir -p data
    @if [ -f data/initial-admin-password ]; then echo "Sign in as $(sed -n 1p data/initial-admin-password) with password $(sed -n 2p data/initial-admin-password)"; fi
    CRM_DEMO_DATA="${CRM_DEMO_DATA:-true}" ./target/release/crm serve

# Build the browser app into frontend/dist.
web:
    scripts/setup.sh web
    scripts/build-web.sh

# Every test: lint, wasm boundary, unit and HTTP tests on SQLite and PostgreSQL, spec drift, browser.
test: lint wasm-check
    scripts/setup.sh test
    cargo nextest run --workspace --no-fail-fast
    scripts/build-web.sh
    just e2e-only

# HTTP tests on PostgreSQL only (needs a server at CRM_TEST_PG_URL, default 127.0.0.1:5432).
test-pg:
    CI=true cargo nextest run -p crm-tests -E 'test(/postgres/)'

# Browser tests in headless Chromium (builds the app first).
e2e: web
    scripts/setup.sh test
    just e2e-only

e2e-only:
    cargo build -q -p crm-server
    node --test --test-concurrency=1 tests/e2e/

# The browser app and the shared types build for wasm32, and nothing server-side leaks in.
wasm-check:
    scripts/setup.sh web
    cargo check -q -p crm-api-types -p crm-domain --target wasm32-unknown-unknown
    @if cargo tree -p crm-frontend --target wasm32-unknown-unknown -e normal | grep -E '^[^ ]*(diesel|actix)' ; then echo "server crates leaked into the frontend"; exit 1; fi
    @if cargo tree -p crm-frontend --target wasm32-unknown-unknown -e normal | grep -qE ' (diesel|actix-web|actix-rt|libsqlite3-sys|pq-sys) '; then echo "server crates leaked into the frontend"; exit 1; else echo "wasm boundary: no diesel or actix under the frontend"; fi

# Format check and clippy with warnings as errors.
lint:
    scripts/setup.sh web
    cargo fmt --all -- --check
    cargo clippy -q --workspace --all-targets -- -D warnings
    cargo clippy -q -p crm-frontend --target wasm32-unknown-unknown -- -D warnings

# Format the code.
fmt:
    cargo fmt --all

# Write api-spec/openapi.json from the code.
openapi:
    cargo run -q -p crm-server -- openapi api-spec/openapi.json

# Load-test the release build on SQLite and PostgreSQL (req/s, p50/p99), then time the web app in Chromium.
bench: web
    scripts/setup.sh bench
    scripts/setup.sh test
    cargo build -q --release -p crm-server
    scripts/bench.sh
    node scripts/bench-web.mjs
