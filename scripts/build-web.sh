#!/usr/bin/env bash
# Builds the browser app into frontend/dist: release wasm, wasm-bindgen, wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build -q -p crm-frontend --target wasm32-unknown-unknown --profile wasm-release --bins
rm -rf frontend/dist.new && mkdir -p frontend/dist.new/pkg
# Two bundles: the app every member loads, and the settings screens, fetched when an admin
# first opens them.
for bin in crm-frontend crm-admin; do
  name="${bin//-/_}"
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir frontend/dist.new/pkg \
    "$target_dir/wasm32-unknown-unknown/wasm-release/$bin.wasm"
  # Debian's binaryen produces modules Chromium rejects; the npm one is known good.
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "frontend/dist.new/pkg/${name}_bg.wasm" "frontend/dist.new/pkg/${name}_bg.wasm"
done
cp frontend/index.html frontend/style.css frontend/dist.new/
rm -rf frontend/dist && mv frontend/dist.new frontend/dist
size() { cat "frontend/dist/pkg/$1_bg.wasm" "frontend/dist/pkg/$1.js" | gzip -9 | wc -c; }
wasm=$(stat -c %s frontend/dist/pkg/crm_frontend_bg.wasm)
gz=$(size crm_frontend)
admin=$(size crm_admin)
echo "web: frontend/dist built (first load: wasm $((wasm / 1024)) KiB, wasm+js $((gz / 1024)) KiB gzip; settings screens, loaded when opened: $((admin / 1024)) KiB gzip)"
# Issue #4's budget: the first load's wasm + JS at most 600 KiB gzip.
if [ "$gz" -gt $((600 * 1024)) ]; then
  echo "web: the app is over its budget of 600 KiB gzip (wasm + JS); make it smaller before adding more" >&2
  exit 1
fi
