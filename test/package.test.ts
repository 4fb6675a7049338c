// The packed tarball where npm users put it. Fresh projects install it and run the same training
// app (test/fixtures/package-app: the digits MLP from a DataLoader with two workers, strict
// TypeScript): Node ESM, Node CommonJS, tsx in a CommonJS package, Bun and Deno run it; Vite
// (build and dev server), webpack and esbuild build it for the browser with their default
// settings (esbuild with the worker as a second entry) and headless Chromium runs the page.
// Every one must reach exactly the accuracy the app reaches in Node. The bundle sizes are printed.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import ts from "typescript";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../scripts/chromium.mjs";
import { serve } from "../scripts/static-server.mjs";

const root = resolve(__dirname, "..");
const fixture = join(__dirname, "fixtures", "package-app");
const work = mkdtempSync(join(tmpdir(), "taimatsu-package-"));
const bin = (name: string): string => join(root, "node_modules", ".bin", name);
let tarball: string;
let browser: Browser;
/** The accuracy the app reaches in Node ESM: every other place must reach exactly it. */
let reference: number;

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A fresh project: its package.json, the tarball installed from the file, and the app's files under `src`. */
function project(name: string, src = ".", files = ["app.js", "app.cjs", "run.mjs", "run.cjs", "main.js", "tensor-only.js"]): string {
  const dir = join(work, name);
  mkdirSync(join(dir, src), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], dir);
  for (const f of files) copyFileSync(join(work, "compiled", f), join(dir, src, f));
  return dir;
}

/** Type-checks the app against the installed package under `options` (strict, no Node types); the diagnostics. */
function typeCheck(dir: string, options: ts.CompilerOptions, emit = false): string[] {
  const program = ts.createProgram([join(dir, "app.ts")], {
    strict: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
    // as a library would: its own declarations must be able to name taimatsu's classes
    declaration: true,
    noEmit: !emit,
    ...options,
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...(emit ? program.emit().diagnostics : [])];
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => ok(port));
    });
  });
}

async function waitForServer(url: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch (e) {
      if (tries > 300) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const accuracyOf = (out: string): number => JSON.parse(out.trim().split("\n").at(-1)!).accuracy;

/** Serves `dir`, opens `page` in Chromium and waits for the app's title: its accuracy or its error. */
async function inChromium(dir: string, page = "index.html"): Promise<number> {
  const server = await serve(dir);
  const tab = await browser.newPage();
  try {
    await tab.goto(`${server.url}/${page}`);
    await tab.waitForFunction(() => document.title.startsWith("{") || document.title.startsWith("error"), null, { timeout: 90_000 });
    const title = await tab.title();
    if (title.startsWith("error")) throw new Error(`the page failed: ${title}`);
    return JSON.parse(title).accuracy;
  } finally {
    await tab.close();
    await server.close();
  }
}

beforeAll(async () => {
  tarball = join(work, run("npm", ["pack", "--silent", "--pack-destination", work], root).trim().split("\n").at(-1)!);
  // the app compiled once, in a project of its own: ESM for every runtime and bundler, CommonJS for require
  const compiled = join(work, "compiled");
  mkdirSync(compiled);
  writeFileSync(join(compiled, "package.json"), JSON.stringify({ name: "compiled", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], compiled);
  for (const f of readdirSync(fixture)) copyFileSync(join(fixture, f), join(compiled, f));
  const errors = typeCheck(compiled, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }, true);
  if (errors.length > 0) throw new Error(`the app does not compile against the package:\n${errors.join("\n")}`);
  const source = readFileSync(join(fixture, "app.ts"), "utf8");
  writeFileSync(join(compiled, "app.cjs"), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the packed package in fresh projects", () => {
  it("Node ESM trains the app with two DataLoader workers", () => {
    reference = accuracyOf(run(process.execPath, ["run.mjs"], project("node-esm")));
    expect(reference).toBeGreaterThan(0.9);
  }, 120_000);

  it("Node CommonJS: require('taimatsu') and require('taimatsu/digits') train it to the same accuracy", () => {
    expect(accuracyOf(run(process.execPath, ["run.cjs"], project("node-cjs")))).toBe(reference);
  }, 120_000);

  it("tsx runs it as TypeScript in a package that is not \"type\": \"module\" (compiled to CommonJS)", () => {
    const dir = project("tsx-cjs", ".", []);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "tsx-cjs", private: true }));
    for (const f of ["app.ts", "run-tsx.ts"]) copyFileSync(join(fixture, f), join(dir, f));
    expect(accuracyOf(run(bin("tsx"), ["run-tsx.ts"], dir))).toBe(reference);
  }, 120_000);

  it("the app type-checks strictly, with noUncheckedIndexedAccess and without Node's types, under Node and bundler resolution", () => {
    const dir = project("typescript", ".", []);
    copyFileSync(join(fixture, "app.ts"), join(dir, "app.ts"));
    expect(typeCheck(dir, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext })).toEqual([]);
    expect(typeCheck(dir, { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler })).toEqual([]);
  }, 120_000);

  it("Bun and Deno train it to the same accuracy", () => {
    const dir = project("bun-deno");
    expect(accuracyOf(run(bin("bun"), ["run.mjs"], dir))).toBe(reference);
    expect(accuracyOf(run(bin("deno"), ["run", "--quiet", "-A", "run.mjs"], dir))).toBe(reference);
  }, 120_000);

  it("Vite builds it with its defaults, and the page trains to the same accuracy in Chromium", async () => {
    const dir = project("vite");
    writeFileSync(join(dir, "index.html"), '<!doctype html>\n<title>app</title>\n<script type="module" src="/main.js"></script>\n');
    run(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], dir);
    expect(await inChromium(join(dir, "dist"))).toBe(reference);
  }, 180_000);

  it("Vite's dev server serves it, and the page trains to the same accuracy in Chromium", async () => {
    const dir = project("vite-dev");
    writeFileSync(join(dir, "index.html"), '<!doctype html>\n<title>app</title>\n<script type="module" src="/main.js"></script>\n');
    const port = await freePort();
    const dev = spawn(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "--port", String(port), "--strictPort"], { cwd: dir, stdio: "ignore" });
    try {
      await waitForServer(`http://localhost:${port}/`);
      const tab = await browser.newPage();
      // the first visit makes Vite optimise the dependencies and reload the page
      await tab.goto(`http://localhost:${port}/index.html`);
      await tab.waitForFunction(() => document.title.startsWith("{") || document.title.startsWith("error"), null, { timeout: 90_000 });
      expect(await tab.title()).toBe(JSON.stringify({ accuracy: reference }));
      await tab.close();
    } finally {
      dev.kill();
    }
  }, 180_000);

  it("webpack builds it with its defaults, and the page trains to the same accuracy in Chromium", async () => {
    const dir = project("webpack", "src");
    renameSync(join(dir, "src", "main.js"), join(dir, "src", "index.js"));
    run(process.execPath, [join(root, "node_modules/webpack-cli/bin/cli.js"), "--mode", "production"], dir);
    writeFileSync(join(dir, "dist", "index.html"), '<!doctype html>\n<title>app</title>\n<script src="main.js"></script>\n');
    // nothing of the build machine's file system is left in the bundle
    for (const f of readdirSync(join(dir, "dist"))) expect(readFileSync(join(dir, "dist", f), "utf8")).not.toContain(work);
    expect(await inChromium(join(dir, "dist"))).toBe(reference);
  }, 180_000);

  it("esbuild builds it, with the worker as a second entry (esbuild does not follow new Worker), and the page trains to the same accuracy", async () => {
    const dir = project("esbuild");
    const out = await build({
      absWorkingDir: dir,
      entryPoints: [{ in: "main.js", out: "main" }, { in: "taimatsu/worker", out: "worker" }],
      bundle: true,
      format: "esm",
      outdir: "out",
      logLevel: "silent",
    });
    expect(out.errors).toEqual([]);
    writeFileSync(join(dir, "out", "index.html"), '<!doctype html>\n<title>app</title>\n<script type="module" src="main.js"></script>\n');
    expect(await inChromium(join(dir, "out"))).toBe(reference);
  }, 180_000);

  it("without the worker entry, numWorkers fails with an error that says where to look", async () => {
    const dir = join(work, "esbuild");
    await build({ absWorkingDir: dir, entryPoints: [{ in: "main.js", out: "main" }], bundle: true, format: "esm", outdir: "no-worker", logLevel: "silent" });
    writeFileSync(join(dir, "no-worker", "index.html"), '<!doctype html>\n<title>app</title>\n<script type="module" src="main.js"></script>\n');
    // whichever of the two workers reports first is named
    await expect(inChromium(join(dir, "no-worker"))).rejects.toThrow(/DataLoader worker [01] failed with an uncaught error \(its script failed to load \(see the bundler notes in taimatsu's README\)\) while starting/);
  }, 180_000);

  it("prints the bundle sizes of a tensor-only app and of the training app (esbuild, minified)", async () => {
    const dir = join(work, "esbuild");
    const sizes: Record<string, string> = {};
    for (const entry of ["tensor-only", "main"]) {
      await build({ absWorkingDir: dir, entryPoints: [`${entry}.js`], bundle: true, minify: true, format: "esm", outfile: `sizes/${entry}.js`, logLevel: "silent" });
      const js = readFileSync(join(dir, "sizes", `${entry}.js`));
      sizes[entry] = `${kb(js.length)} JS, ${kb(gzipSync(js).length)} gzipped`;
    }
    // the bundled digits are in the training app only
    const digitsData = readFileSync(join(root, "ts/data/datasets/digits-data.ts"), "utf8").match(/digitsBase64: string = "(.{64})/)![1]!;
    expect(readFileSync(join(dir, "sizes", "main.js"), "utf8")).toContain(digitsData);
    expect(readFileSync(join(dir, "sizes", "tensor-only.js"), "utf8")).not.toContain(digitsData);
    const wasm = ["kernels-wasm.ts", "kernels-wasm-threads.ts"].map((f) => (readFileSync(join(root, "ts/backend", f), "utf8").match(/"([A-Za-z0-9+/=]+)"/)![1]!.length * 3) / 4);
    console.log(
      `bundle sizes (esbuild --minify): tensor-only app ${sizes["tensor-only"]}; training app with the digits ${sizes.main}; ` +
        `the JS carries the wasm kernels as base64: one-thread build ${kb(wasm[0]!)}, threads build ${kb(wasm[1]!)}`,
    );
  }, 60_000);
});

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
