// `npm test`: the kernels' host tests (cargo), the library's tests (vitest), then the built
// bundle in every runtime. Ends with one "N passed, N failed" line over all of them.
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { smokeRuntimes } from "./smoke-runtimes.mjs";

const root = resolve(import.meta.dirname, "..");
mkdirSync(join(root, "out"), { recursive: true });
let passed = 0;
let failed = 0;

const cargo = spawnSync("/usr/bin/cargo", ["test", "--release", "-p", "taimatsu-kernels"], { cwd: root, encoding: "utf8" });
process.stdout.write(cargo.stdout);
process.stderr.write(cargo.stderr);
for (const m of cargo.stdout.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
}
if (cargo.status !== 0 && failed === 0) failed++;

const report = join(root, "out/vitest.json");
const vitest = spawnSync(join(root, "node_modules/.bin/vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile=${report}`], {
  cwd: root,
  stdio: "inherit",
});
try {
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites ?? 0);
} catch {
  failed++;
}
if (vitest.status !== 0 && failed === 0) failed++;

console.log("runtimes (Node, Bun, Deno, Chromium) on dist/taimatsu.js:");
const smoke = await smokeRuntimes();
passed += smoke.passed;
failed += smoke.failed;

console.log(`\ntaimatsu: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
