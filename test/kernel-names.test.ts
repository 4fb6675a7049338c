// The TS side names Rust kernels by string (`exp_f32`, `matmul_f32`, …): every name the
// sources ask for must be an export of the built wasm module, so a rename on either side
// fails here rather than at run time.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { kernelNames } from "../ts/backend/wasm.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

it("every kernel the TS sources name is exported by the wasm module", () => {
  const exported = new Set(kernelNames());
  const wanted = new Set<string>();
  for (const file of sources(new URL("../ts", import.meta.url).pathname)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/kernel\("([a-z0-9_]+)"\)/g)) wanted.add(m[1]);
    for (const m of text.matchAll(/kernel: "([a-z_]+)"/g)) wanted.add(`${m[1]}_f32`);
    for (const m of text.matchAll(/raw\.(?:binary|binaryInPlace)\([^)]*?"([a-z]+)"/g)) wanted.add(`${m[1]}_f32`);
  }
  for (const name of ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"]) wanted.add(`${name}_f32`);
  for (const kind of ["sum", "max", "min", "prod", "argmax", "argmin", "softmax", "log_softmax", "clamp", "leaky_relu", "step"]) wanted.add(`${kind}_f32`);
  for (const size of [8, 32, 64]) {
    wanted.add(`copy_strided_${size}`);
    wanted.add(`index_select_${size}`);
  }
  expect(wanted.size).toBeGreaterThan(40);
  expect([...wanted].filter((n) => !exported.has(n))).toEqual([]);
});
