// torch.load of files written by PyTorch 1.13's torch.save (test/fixtures/pt, made by
// scripts/gen_pt_fixtures.py), in the ZIP format and in the one before PyTorch 1.6: state dicts that load into the same taimatsu modules, every
// dtype, views (transposed, sharing a storage), and errors for what is not a state dict.
// torch.save: round trips, and writes exactly from-taimatsu.pt, which PyTorch was shown to read.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import expected from "./fixtures/pt/expected.json";
import { expectThrowsMessage, expectValuesNear } from "./helpers.js";
import { sampleCheckpoint, sampleStateDict } from "../scripts/write_pt_sample.js";

const file = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/pt/${name}.pt`, import.meta.url)));
const DTYPES: Record<string, string> = { float32: "float32", float64: "float64", int64: "int64", int32: "int32", bool: "bool", float16: "float16", bfloat16: "bfloat16" };

describe("torch.load", () => {
  for (const name of Object.keys(expected).filter((k) => k !== "checkpoint_next_step") as (keyof typeof expected)[]) {
    for (const variant of [name, `${name}-legacy`]) {
      it(`${variant}.pt: every tensor's dtype, shape and values`, () => {
        const sd = torch.load(file(variant));
        const want = expected[name] as Record<string, { dtype: string; shape: number[]; values: (number | boolean)[] }>;
        expect(Object.keys(sd)).toEqual(Object.keys(want));
        for (const [k, w] of Object.entries(want)) {
          expect(sd[k].dtype, k).toBe(DTYPES[w.dtype]);
          expect([...sd[k].shape], k).toEqual(w.shape);
          expectValuesNear((sd[k].reshape(-1).tolist() as (number | boolean)[]).map(Number), w.values.map(Number), k, 1e-7);
        }
      });
    }
  }
  it("names PyTorch's tar format (0.1–0.3) instead of misreading it", () => {
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode("ustar"), 257);
    expect(() => torch.load(tar)).toThrow("this is PyTorch's tar format");
  });

  it("loads into the same modules built in taimatsu (PyTorch's state-dict keys)", () => {
    const mlp = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.ReLU(), new torch.nn.Linear(3, 2));
    mlp.loadStateDict(torch.load(file("mlp")));
    expectValuesNear(mlp.stateDict()["0.weight"].reshape(-1).tolist() as number[], expected.mlp["0.weight"].values, "0.weight", 0);
    const cnn = new torch.nn.Sequential(new torch.nn.Conv2d(1, 2, 3), new torch.nn.BatchNorm2d(2), new torch.nn.ReLU());
    cnn.loadStateDict(torch.load(file("cnn")));
    expect(Number(cnn.stateDict()["1.num_batches_tracked"].item())).toBe(1);
    new torch.nn.LSTM(2, 3).loadStateDict(torch.load(file("lstm")));
  });

  it("resumes training from PyTorch's checkpoint: model and Adam state, one more step lands where PyTorch's does", () => {
    const ck = torch.load<{ model: Record<string, torch.Tensor>; optimizer: never; epoch: number }>(file("checkpoint"));
    expect(ck.epoch).toBe(4);
    const mlp = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.ReLU(), new torch.nn.Linear(4, 2));
    mlp.loadStateDict(ck.model);
    const adam = new torch.optim.Adam(mlp.parameters(), { lr: 0.005 });
    adam.loadStateDict(ck.optimizer);
    adam.zeroGrad();
    new torch.nn.CrossEntropyLoss()(mlp(torch.linspace(-1, 1, 15).reshape([5, 3])), torch.tensor([1, 0, 0, 1, 1])).backward();
    adam.step();
    for (const [k, v] of Object.entries(mlp.stateDict())) expectValuesNear(v.reshape(-1).tolist() as number[], expected.checkpoint_next_step[k as keyof typeof expected.checkpoint_next_step], k, 1e-5);
  });

  it("refuses what torch.save did not write", () => {
    expectThrowsMessage(() => torch.load(new Uint8Array(100)), "torch.load: neither a ZIP archive (torch.save since PyTorch 1.6) nor a pickle");
    expectThrowsMessage(() => torch.load(file("module_object")), "save with torch.save(model.state_dict(), path)");
  });
});

describe("torch.save", () => {
  it("round-trips every dtype and layout through torch.load", () => {
    const sd = sampleStateDict();
    const back = torch.load(torch.save(sd));
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k].dtype, k).toBe(t.dtype);
      expect([...back[k].shape], k).toEqual([...t.shape]);
      expect(back[k].tolist(), k).toEqual(t.tolist());
    }
  });

  it("writes the bytes of from-taimatsu.pt and checkpoint-from-taimatsu.pt, the files PyTorch loads (scripts/gen_pt_fixtures.py)", () => {
    expect(Buffer.from(torch.save(sampleStateDict(), { archiveName: "from-taimatsu" })).equals(Buffer.from(file("from-taimatsu")))).toBe(true);
    expect(Buffer.from(torch.save(sampleCheckpoint(), { archiveName: "checkpoint-from-taimatsu" })).equals(Buffer.from(file("checkpoint-from-taimatsu")))).toBe(true);
  });

  it("round-trips a checkpoint: nested dicts, lists, numbers, strings, integer keys", () => {
    const ck = sampleCheckpoint();
    const back = torch.load<typeof ck>(torch.save(ck));
    expect(back.epoch).toBe(3);
    expect(back.note).toBe("after one step");
    const [opt, again] = [ck.optimizer as { param_groups: unknown[] }, back.optimizer as { param_groups: unknown[]; state: Record<string, unknown> }];
    expect(again.param_groups).toEqual(opt.param_groups);
    expect(Object.keys(again.state)).toEqual(["0", "1", "2", "3"]);
  });
});

describe("what torch.load and loadSafetensors accept", () => {
  const path = (name: string): string => new URL(`./fixtures/pt/${name}.pt`, import.meta.url).pathname;
  const mlpValues = (sd: Record<string, torch.Tensor>): number[] => sd["0.weight"].reshape(-1).tolist() as number[];
  const want = expected.mlp["0.weight"].values;

  it("a Node Buffer as readFileSync returns it, a pooled Buffer, a Buffer at an odd offset, an ArrayBuffer, a path", () => {
    const bytes = readFileSync(path("mlp"));
    const padded = Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);
    const pooled = Buffer.from(new Uint8Array(bytes));
    const arrayBuffer = new Uint8Array(bytes).buffer;
    for (const src of [bytes, pooled, padded, arrayBuffer, path("mlp")]) expectValuesNear(mlpValues(torch.load(src)), want, "0.weight", 0);
    expect(pooled.byteOffset > 0 || pooled.buffer.byteLength > pooled.byteLength).toBe(true);
  });

  it("torch.save(obj, path) writes the file, its archive folder named after the file as PyTorch names it", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/taimatsu-`);
    const sd = sampleStateDict();
    expect(torch.save(sd, `${dir}/from-taimatsu.pt`)).toBeUndefined();
    expect(readFileSync(`${dir}/from-taimatsu.pt`).equals(Buffer.from(file("from-taimatsu")))).toBe(true);
    const back = torch.load(`${dir}/from-taimatsu.pt`, { mapLocation: "cpu" });
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    torch.io.saveSafetensors(sd, `${dir}/w.safetensors`);
    const st = torch.io.loadSafetensors(readFileSync(`${dir}/w.safetensors`));
    for (const [k, t] of Object.entries(sd)) expect(st[k].tolist()).toEqual(t.tolist());
    expect(Object.keys(torch.io.loadSafetensors(`${dir}/w.safetensors`))).toEqual(Object.keys(sd));
  });

  it("map_location other than the CPU and inputs that are not bytes are clear errors", () => {
    expect(() => torch.load(file("mlp"), { mapLocation: "cuda:0" })).toThrow("device 'cuda:0' is not available");
    expect(() => torch.load(42 as unknown as Uint8Array)).toThrow("torch.load: expected the file's bytes (Uint8Array, Buffer or ArrayBuffer) or a path, got number");
    expect(() => torch.load("/no/such/file.pt")).toThrow(/ENOENT/);
  });
});
