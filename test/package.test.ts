// The built package where apps put it: esbuild, with its default browser settings, bundles an
// app that imports taimatsu (it failed on `node:` imports before), and the bundle runs;
// require() gets a message saying what to write instead.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const app = mkdtempSync(join(tmpdir(), "taimatsu-app-"));
afterAll(() => rmSync(app, { recursive: true, force: true }));

// the app's node_modules/taimatsu: the built files as npm would install them
beforeAll(() => {
  const pkg = join(app, "node_modules", "taimatsu");
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, "dist"), join(pkg, "dist"), { recursive: true });
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
});

describe("the package in a bundler", () => {
  it("esbuild bundles an app for the browser with its defaults, and the bundle computes", async () => {
    writeFileSync(join(app, "app.js"), `import torch from "taimatsu";\nexport const result = torch.tensor([[1, 2], [3, 4]]).float().matmul(torch.ones([2, 1])).tolist();\n`);
    const out = await build({ entryPoints: [join(app, "app.js")], bundle: true, platform: "browser", format: "esm", outfile: join(app, "out.js"), logLevel: "silent" });
    expect(out.errors).toEqual([]);
    const { result } = await import(pathToFileURL(join(app, "out.js")).href);
    expect(result).toEqual([[3], [7]]);
  });
  it("require('taimatsu') says why it cannot work and what to write instead", () => {
    const run = spawnSync(process.execPath, ["-e", "require('taimatsu')"], { cwd: app, encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('taimatsu is an ES module: it instantiates its WebAssembly kernels with top-level await, which require() cannot wait for. Use import * as torch from "taimatsu"');
  });
});
