// Runs test/smoke/smoke.mjs against dist/taimatsu.js in Node, Bun, Deno and headless
// Chromium (Debian's, driven by playwright-core) and checks each result. Prints one line
// per runtime and returns the pass/fail counts to scripts/test.mjs.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";

const root = resolve(import.meta.dirname, "..");
const bundle = join(root, "dist/taimatsu.js");
const smokeFile = join(root, "test/smoke/smoke.mjs");
const { expected } = await import(pathToFileURL(smokeFile).href);

const check = (r) => isDeepStrictEqual({ matmul: r.matmul, sum: r.sum, grad: r.grad, worker: r.worker }, expected);
const script = (url) => `import { smoke } from ${JSON.stringify(pathToFileURL(smokeFile).href)};
console.log(JSON.stringify(await smoke(${JSON.stringify(url)})));`;

function runCli(cmd, args) {
  const out = execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out.trim().split("\n").pop());
}

async function inChromium() {
  const { chromium } = await import("playwright-core");
  const server = createServer((req, res) => {
    if (req.url === "/") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>smoke</title>");
    const file = join(root, decodeURIComponent(req.url.split("?")[0]));
    if (!file.startsWith(root) || !existsSync(file)) return res.writeHead(404).end();
    const type = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".map": "application/json" }[extname(file)];
    res.writeHead(200, { "content-type": type ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
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
      console.log(`  ✓ runtime ${name}: matmul + sum + backward + a DataLoader worker through dist/taimatsu.js`);
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
