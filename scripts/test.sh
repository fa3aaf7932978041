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

# The summary names every failure (file, test, first line of the error) right above the counts,
# so the tail of a CI log is enough to know what failed.
node -e '
  const fs = require("fs"); const path = require("path"); let p = 0, f = 0, s = 0;
  const failures = [];
  const firstLine = (m) => String(m || "").split("\n").find((l) => l.trim()) || "";
  const rel = (file) => path.relative(process.cwd(), file || "");
  const walkSpecs = (suite, out) => { // Playwright nests suites; specs hold the tests
    for (const spec of suite.specs || []) for (const t of spec.tests || [])
      if (t.status === "unexpected") {
        const err = (t.results || []).map((r) => r.error && r.error.message).find(Boolean);
        out.push(`${spec.file}: ${spec.title}: ${firstLine(err)}`);
      }
    for (const child of suite.suites || []) walkSpecs(child, out);
  };
  for (const n of fs.readdirSync(process.argv[1]).filter((x) => x.endsWith(".json"))) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + n, "utf8"));
    const phase = n.replace(/\.json$/, "");
    if (r.stats && r.suites) { // Playwright (browser.json): flaky ones passed on a retry
      p += r.stats.expected + r.stats.flaky; f += r.stats.unexpected; s += r.stats.skipped;
      const out = []; for (const suite of r.suites) walkSpecs(suite, out);
      failures.push(...out.map((x) => `[${phase}] ${x}`));
      if (r.errors && r.errors.length && r.stats.unexpected === 0) { // a run that failed to start
        f += 1; failures.push(`[${phase}] ${firstLine(r.errors[0].message)}`);
      }
      continue;
    }
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + (r.numTodoTests || 0);
    for (const file of r.testResults || []) {
      const failed = (file.assertionResults || []).filter((a) => a.status === "failed");
      for (const a of failed) failures.push(`[${phase}] ${rel(file.name)}: ${a.fullName}: ${firstLine(a.failureMessages[0])}`);
      if (file.status === "failed" && failed.length === 0) failures.push(`[${phase}] ${rel(file.name)}: ${firstLine(file.message) || "the file failed outside its tests (a hook or an import)"}`);
    }
    if (!r.success && r.numFailedTests === 0) f += 1; // a suite that failed to load counts as a failure
  }
  if (failures.length) {
    console.log("failed:");
    for (const x of failures.slice(0, 30)) console.log("  " + x.slice(0, 400));
    if (failures.length > 30) console.log(`  … and ${failures.length - 30} more (see .local/test-results)`);
  }
  console.log(`${p} passed, ${f} failed, ${s} skipped`);
' "$RESULTS"
exit $status
