#!/usr/bin/env bash
# The whole suite: server and shared tests on the embedded database (or on DATABASE_URL when set),
# then the browser tests against the built web UI in Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
files=$(find src -name '*.test.ts' | sort)
if [ "$what" = "all" ]; then
  bash scripts/ensure-chromium.sh
  npx vite build --logLevel warn
  files="$files $(find test/e2e -name '*.test.ts' | sort)"
fi
# One file at a time: each starts its own application and database.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec $files
