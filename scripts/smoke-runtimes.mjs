// Runs test/smoke/smoke.mjs against dist/taimatsu.js in Node, Bun, Deno and headless
// Chromium (Debian's, driven by playwright-core) and checks each result. Prints one line
// per runtime and returns the pass/fail counts to scripts/test.mjs.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./static-server.mjs";

const root = resolve(import.meta.dirname, "..");
const bundle = join(root, "dist/taimatsu.js");
const smokeFile = join(root, "test/smoke/smoke.mjs");
const { expected } = await import(pathToFileURL(smokeFile).href);

const check = (r) => isDeepStrictEqual({ matmul: r.matmul, sum: r.sum, grad: r.grad, worker: r.worker, threads: r.threads }, expected);
const script = (url) => `import { smoke } from ${JSON.stringify(pathToFileURL(smokeFile).href)};
console.log(JSON.stringify(await smoke(${JSON.stringify(url)})));`;

function runCli(cmd, args) {
  const out = execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out.trim().split("\n").pop());
}

async function inChromium() {
  const server = await serve(root);
  const base = server.url;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    return await page.evaluate(async ([s, b]) => (await import(s)).smoke(b), [`${base}/test/smoke/smoke.mjs`, `${base}/dist/taimatsu.js`]);
  } finally {
    await browser.close();
    server.close();
  }
}

const bin = (name) => join(root, "node_modules/.bin", name);
const runtimes = {
  node: () => runCli(process.execPath, ["--input-type=module", "-e", script(pathToFileURL(bundle).href)]),
  bun: () => runCli(bin("bun"), ["-e", script(pathToFileURL(bundle).href)]),
  deno: () => runCli(bin("deno"), ["eval", "--quiet", script(pathToFileURL(bundle).href)]),
  chromium: inChromium,
};

export async function smokeRuntimes() {
  let passed = 0;
  let failed = 0;
  for (const [name, run] of Object.entries(runtimes)) {
    try {
      const r = await run();
      if (!check(r)) throw new Error(`wrong result ${JSON.stringify(r)}`);
      console.log(`  ✓ runtime ${name}: matmul + sum + backward + a DataLoader worker + 2 threads through dist/taimatsu.js`);
      passed++;
    } catch (e) {
      console.log(`  ✗ runtime ${name}: ${e.message}`);
      failed++;
    }
  }
  return { passed, failed };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { failed } = await smokeRuntimes();
  process.exit(failed ? 1 : 0);
}
