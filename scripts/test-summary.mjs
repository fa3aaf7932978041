// The end of `npm test`: one line "N passed, N failed, N skipped" over every phase's JSON report
// in the given folder, and above it every failure named (phase, file, test, first line of the
// error), so the tail of a CI log is enough to know what failed.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
let p = 0,
  f = 0,
  s = 0;
const failures = [];
const firstLine = (m) =>
  String(m || '')
    .split('\n')
    .find((l) => l.trim()) || '';
const rel = (file) => path.relative(process.cwd(), file || '');
const walkSpecs = (suite, out) => {
  // Playwright nests suites; specs hold the tests
  for (const spec of suite.specs || [])
    for (const t of spec.tests || [])
      if (t.status === 'unexpected') {
        const err = (t.results || []).map((r) => r.error?.message).find(Boolean);
        out.push(`${spec.file}: ${spec.title}: ${firstLine(err)}`);
      }
  for (const child of suite.suites || []) walkSpecs(child, out);
};
for (const n of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
  const r = JSON.parse(fs.readFileSync(`${dir}/${n}`, 'utf8'));
  const phase = n.replace(/\.json$/, '');
  if (r.stats && r.suites) {
    // Playwright (browser.json): flaky ones passed on a retry
    p += r.stats.expected + r.stats.flaky;
    f += r.stats.unexpected;
    s += r.stats.skipped;
    const out = [];
    for (const suite of r.suites) walkSpecs(suite, out);
    failures.push(...out.map((x) => `[${phase}] ${x}`));
    if (r.errors?.length && r.stats.unexpected === 0) {
      // a run that failed to start
      f += 1;
      failures.push(`[${phase}] ${firstLine(r.errors[0].message)}`);
    }
    continue;
  }
  p += r.numPassedTests;
  f += r.numFailedTests;
  s += r.numPendingTests + (r.numTodoTests || 0);
  for (const file of r.testResults || []) {
    const failed = (file.assertionResults || []).filter((a) => a.status === 'failed');
    for (const a of failed)
      failures.push(`[${phase}] ${rel(file.name)}: ${a.fullName}: ${firstLine(a.failureMessages[0])}`);
    if (file.status === 'failed' && failed.length === 0)
      failures.push(
        `[${phase}] ${rel(file.name)}: ${firstLine(file.message) || 'the file failed outside its tests (a hook or an import)'}`,
      );
  }
  if (!r.success && r.numFailedTests === 0) f += 1; // a suite that failed to load counts as a failure
}
if (failures.length) {
  console.log('failed:');
  for (const x of failures.slice(0, 30)) console.log(`  ${x.slice(0, 400)}`);
  if (failures.length > 30) console.log(`  … and ${failures.length - 30} more (see .local/test-results)`);
}
console.log(`${p} passed, ${f} failed, ${s} skipped`);
