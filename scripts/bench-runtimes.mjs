// npm run bench:runtimes: runs bench/runtimes/suite.mjs against dist/taimatsu.js in Node, Bun,
// Deno and headless Chromium (a cross-origin isolated page, so it gets threads), prints one
// table (benchmark × runtime and thread count) and writes it with a bar chart to
// out/bench/runtimes.html (and the numbers to out/bench/runtimes.json).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./static-server.mjs";

const root = resolve(import.meta.dirname, "..");
const suite = pathToFileURL(join(root, "bench/runtimes/suite.mjs")).href;
const bundle = pathToFileURL(join(root, "dist/taimatsu.js")).href;
const script = `import { runSuite } from ${JSON.stringify(suite)};
console.log(JSON.stringify(await runSuite(${JSON.stringify(bundle)})));`;
const bin = (name) => join(root, "node_modules/.bin", name);

function cli(cmd, args) {
  const out = execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop());
}

async function chromium() {
  const server = await serve(root);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    return await page.evaluate(async ([s, b]) => (await import(s)).runSuite(b), [`${server.url}/bench/runtimes/suite.mjs`, `${server.url}/dist/taimatsu.js`]);
  } finally {
    await browser.close();
    server.close();
  }
}

const RUNTIMES = {
  node: () => cli(process.execPath, ["--input-type=module", "-e", script]),
  bun: () => cli(bin("bun"), ["-e", script]),
  deno: () => cli(bin("deno"), ["eval", "--quiet", script]),
  chromium,
};

const results = {};
for (const [name, run] of Object.entries(RUNTIMES)) {
  process.stderr.write(`running ${name}…\n`);
  try {
    results[name] = await run();
  } catch (e) {
    console.log(`${name}: failed (${e.message.split("\n")[0]})`);
  }
}

const columns = Object.entries(results).flatMap(([rt, r]) => Object.keys(r.rows[0].values).map((t) => [rt, t]));
const benches = Object.values(results)[0]?.rows ?? [];
const fmt = (v) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = [
  ["benchmark", "unit", ...columns.map(([rt, t]) => `${rt} ${t}`)],
  ...benches.map((b, k) => [b.bench, b.unit, ...columns.map(([rt, t]) => fmt(results[rt].rows[k].values[t]))]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\ntaimatsu across runtimes — ${new Date().toISOString()}, dist/taimatsu.js\n`);
console.log(line(table[0]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of table.slice(1)) console.log(line(row));

/** One chart per benchmark: bars per runtime and thread count, as speed relative to Node on one thread (longer is faster). */
function chart() {
  const colors = { node: "#3c873a", bun: "#c9a227", deno: "#222", chromium: "#4285f4" };
  const barH = 16;
  const width = 640;
  const label = 170;
  let y = 10;
  const parts = [];
  for (const [k, b] of benches.entries()) {
    const base = results.node?.rows[k].values["1T"];
    const speed = (v) => (b.higherIsBetter ? v / base : base / v);
    const max = Math.max(...columns.map(([rt, t]) => speed(results[rt].rows[k].values[t])));
    parts.push(`<text x="0" y="${y + 12}" font-weight="bold">${b.bench}</text>`);
    y += 20;
    for (const [rt, t] of columns) {
      const v = results[rt].rows[k].values[t];
      const w = ((width - label - 120) * speed(v)) / max;
      parts.push(`<text x="0" y="${y + 12}">${rt} ${t}</text><rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="${barH - 3}" fill="${colors[rt]}"/>` +
        `<text x="${label + w + 6}" y="${y + 12}">${fmt(v)} ${b.unit} (${speed(v).toFixed(2)}×)</text>`);
      y += barH;
    }
    y += 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">${parts.join("")}</svg>`;
}

const out = join(root, "out/bench");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "runtimes.json"), JSON.stringify(results, null, 2));
const htmlTable = `<table border="1" cellspacing="0" cellpadding="4">${table.map((r, i) => `<tr>${r.map((c) => (i ? `<td>${c}</td>` : `<th>${c}</th>`)).join("")}</tr>`).join("")}</table>`;
writeFileSync(join(out, "runtimes.html"), `<!doctype html><meta charset="utf-8"><title>taimatsu across runtimes</title><h1>taimatsu across runtimes</h1><p>${new Date().toISOString()}; bars: speed relative to Node on one thread.</p>${htmlTable}<p>${chart()}</p>`);
console.log(`\nwrote out/bench/runtimes.html and out/bench/runtimes.json`);
