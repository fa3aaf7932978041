#!/usr/bin/env bash
# `npm test`: every test, against the real local stack, starting what it needs.
#   1. typecheck (all workspaces)   2. unit tests   3. integration tests (LocalStack, FerretDB, Redis,
#      clamd; the IAM least-privilege tests start a moto of their own)
#   4. end-to-end tests through the gateway against running services (started here)
#   5. the web console in a real browser (Playwright driving Debian's Chromium, web/e2e), same stack
# Works whether or not `npm start` is running: running services are stopped for the integration
# phase (they would consume the queues the tests publish to) and left running again at the end.
# Ends with one summary line "N passed, N failed, N skipped". Exit code non-zero on any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.local/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

bash scripts/stack-up.sh || exit 1

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
status=0
run() { # name, then the command
  local name="$1"
  shift
  echo "== $name"
  "$@" || status=1
}
vitest_project() {
  npx vitest run --project "$1" --reporter=default --reporter=json --outputFile.json="$RESULTS/$1.json"
}
# The console is built first (the gateway serves web/dist); results in $RESULTS/browser.json,
# screenshots and failure traces under $RESULTS/screenshots and $RESULTS/browser.
browser_tests() {
  local t0=$SECONDS
  npm run -s build -w web >/dev/null || { echo "web console build failed"; return 1; }
  (cd web && npx playwright test)
  local rc=$?
  echo "browser phase took $((SECONDS - t0)) s"
  return $rc
}

was_running=()
for s in audit files scanner watermark appointments notify chat gateway; do
  bash scripts/services.sh status "$s" >/dev/null 2>&1 && was_running+=("$s")
done
if [ ${#was_running[@]} -gt 0 ]; then
  echo "== stopping the running services for the integration tests (restarted for e2e, left running)"
  bash scripts/services.sh stop
fi

# The imaging tests' DICOM samples (pydicom's bundled files, installed by infra/install.sh).
bash scripts/dicom-samples.sh || status=1
run typecheck npm run -s typecheck
run unit vitest_project unit
run integration vitest_project integration
if [ -d e2e ] && ls e2e/*.test.ts >/dev/null 2>&1; then
  # The e2e phase gets a fresh stack: the integration tests leave thousands of messages in the
  # shared queues and GiBs of objects in the emulator. Restarting it re-provisions (new IAM and
  # KMS keys), so the services' databases and Redis are reset with it (records must not outlive
  # the objects and keys they refer to) and the services (re)started; they are left as found.
  bash scripts/services.sh stop
  bash infra/stack.sh restart aws || status=1
  set -a; . infra/env/local.env; set +a
  node scripts/reset-state.mjs || status=1
  if bash scripts/services.sh start; then
    run e2e vitest_project e2e
    run browser browser_tests
  else
    status=1
  fi
  if [ ${#was_running[@]} -eq 0 ]; then bash scripts/services.sh stop; fi
fi

node scripts/test-summary.mjs "$RESULTS"
exit $status
