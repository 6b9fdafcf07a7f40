#!/usr/bin/env bash
# Installs what the build and the tests need, only where it is missing or the wrong version.
# Usage: scripts/setup.sh web|test|bench
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-web}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The browser app: wasm target, wasm-bindgen matching Cargo.lock, Node tools (wasm-opt).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want (found '${have:-none}'), about 3 minutes"
  cargo install -q wasm-bindgen-cli --version "$want"
fi
if ! command -v npm >/dev/null; then
  echo "setup: installing Node.js and npm"
  apt_install nodejs npm
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (binaryen, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$what" = test ]; then
  if [ ! -x /usr/bin/chromium ]; then
    echo "setup: installing Debian's chromium for browser tests"
    apt_install chromium
  fi
  if ! cargo nextest --version >/dev/null 2>&1; then
    echo "setup: installing cargo-nextest"
    cargo install -q cargo-nextest --locked
  fi
fi

if [ "$what" = bench ] && ! command -v wrk >/dev/null; then
  echo "setup: installing wrk (load generator)"
  apt_install wrk
fi
