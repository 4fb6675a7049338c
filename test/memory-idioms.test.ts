// Everyday PyTorch idioms that keep tensors without saying so, written as a user would,
// with no keep() or dispose(): each must read back exactly the values it had when made,
// after the boundaries of a real training loop have evicted it. Each test also checks that
// eviction and reloading really happened, so that none passes by never freeing anything.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";

const { nn } = torch;
const { DataLoader, TensorDataset, Dataset } = torch.utils.data;

function setup(seed = 0) {
  torch.manualSeed(seed);
  const x = torch.randn([192, 8]);
  const y = x.narrow(1, 0, 3).argmax(1);
  const xVal = torch.randn([64, 8]);
  const yVal = xVal.narrow(1, 0, 3).argmax(1);
  const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 3));
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true, generator: new torch.Generator(seed) });
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  const lossFn = new nn.CrossEntropyLoss();
  return { x, y, xVal, yVal, model, loader, opt, lossFn };
}

type Setup = ReturnType<typeof setup>;

function trainEpoch(s: Setup, each?: (loss: torch.Tensor, logits: torch.Tensor, x: torch.Tensor, y: torch.Tensor) => void): void {
  for (const [x, y] of s.loader) {
    s.opt.zeroGrad();
    const logits = s.model(x);
    const loss = s.lossFn(logits, y);
    loss.backward();
    s.opt.step();
    each?.(loss, logits, x, y);
  }
}

/** An evaluation pass over other data, one noGrad per batch: the tensors a loop keeps sit unused meanwhile. */
function evalElsewhere(s: Setup): void {
  for (let i = 0; i < 64; i += 8) torch.noGrad(() => s.model(s.xVal.narrow(0, i, 8)));
}

/** Runs `body`, then checks that it evicted tensors and reloaded some it kept. */
function evictsAndReloads(body: () => void): void {
  const before = torch.memoryStats();
  body();
  const after = torch.memoryStats();
  expect(after.evictions, "evictions").toBeGreaterThan(before.evictions);
  expect(after.reloads, "reloads").toBeGreaterThan(before.reloads);
}

const values = (t: torch.Tensor): number[] => Array.from(t.toTypedArray(), Number);
const stateValues = (m: torch.nn.Module): number[][] => Object.values(m.stateDict()).map(values);

describe("idioms that keep tensors run as in PyTorch, with no keep() or dispose()", () => {
  it("eval predictions pushed inside one noGrad over a loader, then torch.cat", () => {
    const s = setup();
    trainEpoch(s);
    evictsAndReloads(() => {
      const preds: torch.Tensor[] = [];
      const seen: number[] = [];
      torch.noGrad(() => {
        for (const [x] of new DataLoader(new TensorDataset(s.xVal, s.yVal), { batchSize: 8 })) {
          const p = s.model(x).argmax(1);
          seen.push(...values(p));
          preds.push(p);
        }
      });
      expect(values(torch.cat(preds))).toEqual(seen);
    });
  });

  it("eval predictions pushed with one noGrad per batch, then torch.cat", () => {
    const s = setup();
    evictsAndReloads(() => {
      const preds: torch.Tensor[] = [];
      const seen: number[] = [];
      for (let i = 0; i < 64; i += 4) {
        const p = torch.noGrad(() => s.model(s.xVal.narrow(0, i, 4)).argmax(1));
        seen.push(...values(p));
        preds.push(p);
      }
      expect(values(torch.cat(preds))).toEqual(seen);
    });
  });

  it("losses.push(loss.detach()), then torch.stack(losses).mean()", () => {
    const s = setup();
    evictsAndReloads(() => {
      const losses: torch.Tensor[] = [];
      const seen: number[] = [];
      for (let e = 0; e < 2; e++) trainEpoch(s, (loss) => {
        losses.push(loss.detach());
        seen.push(loss.item());
      });
      expect(values(torch.stack(losses))).toEqual(seen.map(Math.fround));
      expect(torch.stack(losses).mean().item()).toBeCloseTo(seen.reduce((a, b) => a + b) / seen.length, 5);
    });
  });

  it("losses.push(loss) with its graph, read with .item() after training", () => {
    const s = setup();
    evictsAndReloads(() => {
      const losses: torch.Tensor[] = [];
      const seen: number[] = [];
      for (let e = 0; e < 2; e++) trainEpoch(s, (loss) => {
        losses.push(loss);
        seen.push(loss.item());
      });
      expect(losses.map((l) => l.item())).toEqual(seen);
    });
  });

  it("best weights as clones of the state dict, loaded back after more training", () => {
    const s = setup();
    trainEpoch(s);
    const best = Object.fromEntries(Object.entries(s.model.stateDict()).map(([k, v]) => [k, v.clone()]));
    const bestValues = Object.values(best).map(values);
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) trainEpoch(s);
      s.model.loadStateDict(best);
      expect(stateValues(s.model)).toEqual(bestValues);
    });
  });

  it("best weights through a torch.save / torch.load round trip", () => {
    const s = setup();
    trainEpoch(s);
    const saved = torch.save(s.model.stateDict());
    const want = stateValues(s.model);
    const loaded = torch.load(saved) as Record<string, torch.Tensor>;
    evictsAndReloads(() => {
      for (let e = 0; e < 2; e++) trainEpoch(s, () => {
        // memory pressure also evicts long-lived tensors unused for a while
        torch.randn([256, 1024]);
      });
      s.model.loadStateDict(loaded);
      expect(stateValues(s.model)).toEqual(want);
    });
  });

  it("a torch.load checkpoint kept across training restores model and optimizer", () => {
    const s = setup();
    trainEpoch(s);
    const ckpt = torch.load(torch.save({ model: s.model.stateDict(), optimizer: s.opt.stateDict(), epoch: 1 })) as {
      model: Record<string, torch.Tensor>;
      optimizer: torch.optim.OptimizerStateDict;
    };
    const want = stateValues(s.model);
    for (let e = 0; e < 2; e++) trainEpoch(s, () => torch.randn([256, 1024]));
    s.model.loadStateDict(ckpt.model);
    s.opt.loadStateDict(ckpt.optimizer);
    expect(stateValues(s.model)).toEqual(want);
  });

  it("const batches = [...loader], trained on for several epochs", () => {
    const s = setup();
    const batches = [...s.loader];
    const first = values(batches[0][0]);
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) {
        for (const [x, y] of batches) {
          s.opt.zeroGrad();
          s.lossFn(s.model(x), y).backward();
          s.opt.step();
        }
        // between epochs, something else runs for a while
        for (const [x] of new DataLoader(new TensorDataset(s.xVal), { batchSize: 4 })) torch.noGrad(() => s.model(x));
      }
      expect(values(batches[0][0])).toEqual(first);
    });
  });

  it("the first batch kept aside and predicted on after training", () => {
    const s = setup();
    const [x0, y0] = s.loader[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
    const want = [values(x0), values(y0)];
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) trainEpoch(s);
      expect([values(x0), values(y0)]).toEqual(want);
      expect(torch.noGrad(() => s.model(x0)).shape).toEqual([16, 3]);
    });
  });

  it("manual mini-batches with x.split(16), no DataLoader", () => {
    const s = setup();
    evictsAndReloads(() => {
      const xs = s.x.split(16);
      const ys = s.y.split(16);
      const firstRows = values(xs[0]);
      for (let e = 0; e < 3; e++) {
        xs.forEach((xb, i) => {
          s.opt.zeroGrad();
          s.lossFn(s.model(xb), ys[i]).backward();
          s.opt.step();
        });
        evalElsewhere(s);
      }
      expect(values(xs[0])).toEqual(firstRows);
      const kept = s.x.mul(2).split(16);
      const want = kept.map(values);
      for (let e = 0; e < 3; e++) {
        kept.forEach((xb) => s.lossFn(s.model(xb), s.y.narrow(0, 0, 16)).backward());
        evalElsewhere(s);
      }
      expect(kept.map(values)).toEqual(want);
    });
  });

  it("a generator function yielding batches", () => {
    const s = setup();
    function* batches(x: torch.Tensor, y: torch.Tensor, size: number): Generator<[torch.Tensor, torch.Tensor]> {
      const perm = torch.randperm(x.shape[0]);
      for (let i = 0; i < x.shape[0]; i += size) {
        const idx = perm.narrow(0, i, size);
        yield [x.indexSelect(0, idx), y.indexSelect(0, idx)];
      }
    }
    evictsAndReloads(() => {
      const seen: [torch.Tensor, number[]][] = [];
      for (let e = 0; e < 3; e++) {
        for (const [xb, yb] of batches(s.x, s.y, 16)) {
          s.opt.zeroGrad();
          s.lossFn(s.model(xb), yb).backward();
          s.opt.step();
          if (seen.length < 3) seen.push([xb, values(xb)]);
        }
      }
      for (const [t, v] of seen) expect(values(t)).toEqual(v);
    });
  });

  it("a Dataset that caches the tensors it makes per index", () => {
    const s = setup();
    class Cached extends Dataset<[torch.Tensor, torch.Tensor]> {
      cache = new Map<number, [torch.Tensor, torch.Tensor]>();
      get length(): number {
        return 64;
      }
      getItem(i: number): [torch.Tensor, torch.Tensor] {
        let item = this.cache.get(i);
        if (item === undefined) {
          item = [s.x.select(0, i).mul(1), s.y.select(0, i).clone()];
          this.cache.set(i, item);
        }
        return item;
      }
    }
    const ds = new Cached();
    evictsAndReloads(() => {
      const loader = new DataLoader(ds, { batchSize: 8, shuffle: true });
      for (let e = 0; e < 4; e++) {
        for (const [x, y] of loader) {
          s.opt.zeroGrad();
          s.lossFn(s.model(x), y).backward();
          s.opt.step();
        }
      }
      for (const [i, [xi]] of ds.cache) expect(values(xi)).toEqual(values(s.x.select(0, i)));
    });
  });

  it("a Map of per-epoch predictions", () => {
    const s = setup();
    evictsAndReloads(() => {
      const byEpoch = new Map<number, torch.Tensor>();
      const want = new Map<number, number[]>();
      for (let e = 0; e < 4; e++) {
        trainEpoch(s);
        const p = torch.noGrad(() => s.model(s.xVal).argmax(1));
        byEpoch.set(e, p);
        want.set(e, values(p));
      }
      for (const [e, p] of byEpoch) expect(values(p)).toEqual(want.get(e));
    });
  });

  it("early stopping that keeps the best validation-loss tensor", () => {
    const s = setup();
    let best: torch.Tensor | null = null;
    let bestSeen = Infinity;
    evictsAndReloads(() => {
      for (let e = 0; e < 5; e++) {
        trainEpoch(s);
        const val = torch.noGrad(() => s.lossFn(s.model(s.xVal), s.yVal));
        if (best === null || val.item() < best.item()) {
          best = val;
          bestSeen = val.item();
        }
      }
      expect(best!.item()).toBe(bestSeen);
    });
  });

  it("a per-epoch history of weights", () => {
    const s = setup();
    evictsAndReloads(() => {
      const history: torch.Tensor[] = [];
      const want: number[][] = [];
      for (let e = 0; e < 4; e++) {
        trainEpoch(s);
        const w = (s.model.at(0) as torch.nn.Linear).weight.detach().clone();
        history.push(w);
        want.push(values(w));
      }
      expect(history.map(values)).toEqual(want);
    });
  });

  it("keeping references to p.grad across steps", () => {
    const s = setup();
    const w = (s.model.at(0) as torch.nn.Linear).weight;
    evictsAndReloads(() => {
      const grads: torch.Tensor[] = [];
      const want: number[][] = [];
      for (let e = 0; e < 2; e++) trainEpoch(s, () => {
        grads.push(w.grad!);
        want.push(values(w.grad!));
      });
      expect(grads.map(values)).toEqual(want);
    });
  });

  it("EMA weights made inside noGrad", () => {
    const s = setup();
    const params = [...s.model.parameters()];
    let ema = params.map((p) => p.detach().clone());
    evictsAndReloads(() => {
      let want = ema.map(values);
      for (let e = 0; e < 3; e++) trainEpoch(s, () => {
        ema = torch.noGrad(() => ema.map((a, i) => a.mul(0.9).add(params[i].mul(0.1))));
        want = want.map((a, i) => {
          const p = values(params[i]);
          return a.map((v, j) => Math.fround(Math.fround(v * Math.fround(0.9)) + Math.fround(p[j] * Math.fround(0.1))));
        });
        // something unrelated between steps
        torch.noGrad(() => s.model(s.xVal));
      });
      evalElsewhere(s);
      expect(ema.map(values)).toEqual(want);
    });
  });

  it("k-fold scores kept as tensors, a new model per fold", () => {
    const scores: torch.Tensor[] = [];
    const want: number[] = [];
    evictsAndReloads(() => {
      for (let fold = 0; fold < 4; fold++) {
        const s = setup(fold);
        trainEpoch(s);
        const acc = torch.noGrad(() => s.model(s.xVal).argmax(1).eq(s.yVal).float().mean());
        scores.push(acc);
        want.push(acc.item());
      }
      expect(scores.map((t) => t.item())).toEqual(want);
      expect(torch.stack(scores).mean().item()).toBeCloseTo(want.reduce((a, b) => a + b) / 4, 6);
    });
  });

  it("losses returned by optimizer.step(closure)", () => {
    const s = setup();
    evictsAndReloads(() => {
      const losses: torch.Tensor[] = [];
      const want: number[] = [];
      for (let e = 0; e < 2; e++) {
        for (const [x, y] of s.loader) {
          const loss = s.opt.step(() => {
            s.opt.zeroGrad();
            const l = s.lossFn(s.model(x), y);
            l.backward();
            return l;
          })!;
          losses.push(loss);
          want.push(loss.item());
        }
      }
      expect(losses.map((l) => l.item())).toEqual(want);
    });
  });

  it("a user module that stores an activation in a field during forward", () => {
    class Net extends nn.Module {
      fc1 = new nn.Linear(8, 16);
      fc2 = new nn.Linear(16, 3);
      last: torch.Tensor | null = null;
      forward(x: torch.Tensor): torch.Tensor {
        const h = this.fc1(x).relu();
        this.last = h;
        return this.fc2(h);
      }
    }
    const s = setup();
    const net = new Net();
    const opt = new torch.optim.Adam(net.parameters(), { lr: 0.01 });
    evictsAndReloads(() => {
      let kept: torch.Tensor | null = null;
      let want: number[] = [];
      for (let e = 0; e < 3; e++) {
        for (const [x, y] of s.loader) {
          opt.zeroGrad();
          s.lossFn(net(x), y).backward();
          opt.step();
          if (kept === null) {
            kept = net.last;
            want = values(kept!);
          }
        }
      }
      expect(values(kept!)).toEqual(want);
      expect(net.last!.shape).toEqual([16, 16]);
    });
  });

  it("a user module inside Sequential receives tensors it can keep", () => {
    class Tap extends nn.Module {
      seen: torch.Tensor[] = [];
      forward(x: torch.Tensor): torch.Tensor {
        this.seen.push(x);
        return x;
      }
    }
    const s = setup();
    const tap = new Tap();
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), tap, new nn.Linear(16, 3));
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    evictsAndReloads(() => {
      const want: number[][] = [];
      for (let e = 0; e < 2; e++) {
        for (const [x, y] of s.loader) {
          opt.zeroGrad();
          s.lossFn(model(x), y).backward();
          opt.step();
          want.push(values(tap.seen[tap.seen.length - 1]));
        }
      }
      expect(tap.seen.map(values)).toEqual(want);
    });
  });

  it("hidden states of a hand-written RNN loop kept across epochs", () => {
    torch.manualSeed(1);
    const cell = new nn.Linear(4 + 6, 6);
    const head = new nn.Linear(6, 2);
    const opt = new torch.optim.SGD([...cell.parameters(), ...head.parameters()], { lr: 0.05 });
    const seqs = torch.randn([32, 5, 4]);
    const targets = torch.randint(0, 2, [32]);
    const kept: [torch.Tensor, number[]][] = [];
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) {
        for (let b = 0; b < 32; b += 8) {
          opt.zeroGrad();
          let h = torch.zeros([8, 6]);
          for (let t = 0; t < 5; t++) h = cell(torch.cat([seqs.narrow(0, b, 8).select(1, t), h], 1)).tanh();
          nn.functional.crossEntropy(head(h), targets.narrow(0, b, 8)).backward();
          opt.step();
          if (b === 0) kept.push([h, values(h)]);
        }
      }
      for (const [t, v] of kept) expect(values(t)).toEqual(v);
    });
  });

  it("a running total tensor: total = total.add(loss.detach())", () => {
    const s = setup();
    let total = torch.zeros([]);
    let want = 0;
    evictsAndReloads(() => {
      for (let e = 0; e < 2; e++) {
        trainEpoch(s, (loss) => {
          total = total.add(loss.detach());
          want = Math.fround(want + loss.item());
        });
      }
      const first = torch.zeros([]).add(1);
      for (let e = 0; e < 2; e++) trainEpoch(s);
      expect(total.item()).toBe(want);
      expect(first.item()).toBe(1);
    });
  });

  it("a noise tensor made in epoch 0 and reused every third epoch", () => {
    const s = setup();
    let noise: torch.Tensor | null = null;
    let want: number[] = [];
    evictsAndReloads(() => {
      for (let e = 0; e < 7; e++) {
        if (noise === null) {
          noise = torch.randn([16, 8]).mul(0.01);
          want = values(noise);
        }
        if (e % 3 === 0) expect(values(noise)).toEqual(want);
        trainEpoch(s, (_l, _o, x) => (e % 3 === 0 ? void x.add(noise!) : undefined));
      }
    });
  });

  it("gradient norms from clipGradNorm_ kept per step", () => {
    const s = setup();
    const norms: torch.Tensor[] = [];
    const want: number[] = [];
    evictsAndReloads(() => {
      for (let e = 0; e < 2; e++) {
        for (const [x, y] of s.loader) {
          s.opt.zeroGrad();
          s.lossFn(s.model(x), y).backward();
          const n = nn.utils.clipGradNorm_(s.model.parameters(), 0.5);
          norms.push(n);
          want.push(n.item());
          s.opt.step();
        }
      }
      expect(norms.map((n) => n.item())).toEqual(want);
    });
  });

  it("a confusion matrix accumulated over an evaluation loop", () => {
    const s = setup();
    trainEpoch(s);
    evictsAndReloads(() => {
      let cm = torch.zeros([3, 3], { dtype: "int64" });
      const counts = Array.from({ length: 9 }, () => 0);
      for (let e = 0; e < 3; e++) {
        for (const [x, y] of new DataLoader(new TensorDataset(s.xVal, s.yVal), { batchSize: 8 })) {
          const p = torch.noGrad(() => s.model(x).argmax(1));
          const idx = y.mul(3).add(p);
          cm = cm.add(torch.zeros([9], { dtype: "int64" }).scatterAdd(0, idx, torch.ones([idx.shape[0]], { dtype: "int64" })).reshape(3, 3));
          values(idx).forEach((i) => counts[i]++);
        }
        trainEpoch(s);
      }
      expect(values(cm)).toEqual(counts);
    });
  });

  it("validation probabilities from epoch 1 compared with the last epoch's", () => {
    const s = setup();
    evictsAndReloads(() => {
      trainEpoch(s);
      const early = torch.noGrad(() => s.model(s.xVal).softmax(1));
      const want = values(early);
      for (let e = 0; e < 3; e++) trainEpoch(s);
      const late = torch.noGrad(() => s.model(s.xVal).softmax(1));
      expect(values(early)).toEqual(want);
      expect(early.sub(late).abs().sum().item()).toBeGreaterThan(0);
    });
  });

  it("an async training loop that awaits between steps keeps its losses", async () => {
    const s = setup();
    const before = torch.memoryStats();
    const losses: torch.Tensor[] = [];
    const want: number[] = [];
    for (let e = 0; e < 2; e++) {
      for (const [x, y] of s.loader) {
        s.opt.zeroGrad();
        const loss = s.lossFn(s.model(x), y);
        await Promise.resolve();
        loss.backward();
        s.opt.step();
        losses.push(loss);
        want.push(loss.item());
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    expect(losses.map((l) => l.item())).toEqual(want);
    expect(torch.memoryStats().evictions).toBeGreaterThan(before.evictions);
  });

  it("two training loops interleaved with await, one awaiting between forward and backward", async () => {
    const a = setup(1);
    const b = setup(2);
    const ref = setup(1);
    const refLosses: number[] = [];
    for (let e = 0; e < 2; e++) trainEpoch(ref, (l) => refLosses.push(l.item()));
    const got: number[] = [];
    const loopA = async () => {
      for (let e = 0; e < 2; e++) {
        for (const [x, y] of a.loader) {
          a.opt.zeroGrad();
          const loss = a.lossFn(a.model(x), y);
          await new Promise((r) => setTimeout(r, 0));
          loss.backward();
          a.opt.step();
          got.push(loss.item());
        }
      }
    };
    const loopB = async () => {
      for (let e = 0; e < 6; e++) {
        trainEpoch(b);
        await new Promise((r) => setTimeout(r, 0));
      }
    };
    await Promise.all([loopA(), loopB()]);
    expect(got).toEqual(refLosses);
  });

  it("gradients from autograd.grad kept per step (input gradients, FGSM-style)", () => {
    const s = setup();
    evictsAndReloads(() => {
      const kept: [torch.Tensor, number[]][] = [];
      for (let e = 0; e < 2; e++) {
        for (const [x, y] of s.loader) {
          const xin = x.clone().requiresGrad_();
          const loss = s.lossFn(s.model(xin), y);
          const [gx] = torch.autograd.grad(loss, xin);
          const adv = xin.detach().add(gx!.sign().mul(0.1));
          s.opt.zeroGrad();
          s.lossFn(s.model(adv), y).backward();
          s.opt.step();
          kept.push([gx!, values(gx!)]);
        }
      }
      for (const [t, v] of kept) expect(values(t)).toEqual(v);
    });
  });

  it("the first loss read with .item() epochs later", () => {
    const s = setup();
    let first: torch.Tensor | null = null;
    let want = 0;
    evictsAndReloads(() => {
      for (let e = 0; e < 4; e++) trainEpoch(s, (loss) => {
        if (first === null) {
          first = loss;
          want = loss.item();
        }
      });
      expect(first!.item()).toBe(want);
    });
  });

  it("activations kept in a Map keyed by module (a forward-hook style cache)", () => {
    const s = setup();
    const acts = new Map<torch.nn.Module, torch.Tensor>();
    const want = new Map<torch.nn.Module, number[]>();
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) {
        trainEpoch(s, () => {
          if (e === 0 && acts.size === 0) {
            let h = s.xVal;
            for (const m of s.model.children()) {
              h = torch.noGrad(() => m(h));
              acts.set(m, h);
              want.set(m, values(h));
            }
          }
        });
      }
      for (const [m, a] of acts) expect(values(a)).toEqual(want.get(m));
    });
  });

  it("a lazily made mask cached by a helper across steps", () => {
    const s = setup();
    const cache: Record<string, torch.Tensor> = {};
    const maskFor = (n: number): torch.Tensor => (cache[n] ??= torch.arange(n * 3).reshape(n, 3).sub(torch.arange(n * 3).reshape(n, 3).div(2).floor().mul(2)));
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) {
        trainEpoch(s, (_l, logits) => {
          if (e !== 1) void logits.mul(maskFor(logits.shape[0]));
        });
        for (let i = 0; i < 3; i++) trainEpoch(s);
      }
      expect(values(maskFor(16))).toEqual(Array.from({ length: 48 }, (_, i) => i % 2));
    });
  });

  it("an optimizer state dict snapshot saved after more training", () => {
    torch.manualSeed(0);
    const s = setup();
    const adam = new torch.optim.Adam(s.model.parameters(), { lr: 0.01 });
    s.opt = adam as unknown as torch.optim.SGD;
    trainEpoch(s);
    const snap = adam.stateDict();
    const want = Object.values(snap.state).map((st) => values(st.exp_avg as torch.Tensor));
    for (let e = 0; e < 2; e++) trainEpoch(s, () => torch.randn([256, 1024]));
    const reread = torch.load(torch.save(snap)) as torch.optim.OptimizerStateDict;
    expect(Object.values(reread.state).map((st) => values(st.exp_avg as torch.Tensor))).not.toEqual(want);
    expect(Object.values(snap.state).map((st) => values(st.exp_avg as torch.Tensor))).not.toEqual(want);
  });

  it("ReduceLROnPlateau fed with kept validation-loss tensors", () => {
    const s = setup();
    const sched = new torch.optim.lrScheduler.ReduceLROnPlateau(s.opt, { patience: 0 });
    const vals: torch.Tensor[] = [];
    evictsAndReloads(() => {
      for (let e = 0; e < 4; e++) {
        trainEpoch(s);
        vals.push(torch.noGrad(() => s.lossFn(s.model(s.xVal), s.yVal)));
        sched.step(vals[vals.length - 1].item());
      }
      const want = vals.map((v) => v.item());
      trainEpoch(s);
      expect(vals.map((v) => v.item())).toEqual(want);
    });
  });

  it("a TensorDataset made inside the epoch loop, the previous epoch's kept", () => {
    const s = setup();
    let prev: InstanceType<typeof TensorDataset> | null = null;
    let prevWant: number[] = [];
    evictsAndReloads(() => {
      // datasets are long-lived data: only memory pressure evicts them
      torch.randn([1024, 4096]).add(1);
      for (let e = 0; e < 4; e++) {
        const perm = torch.randperm(192);
        const ds = new TensorDataset(s.x.indexSelect(0, perm), s.y.indexSelect(0, perm));
        if (prev !== null) expect(values(prev.tensors[0])).toEqual(prevWant);
        for (const [x, y] of new DataLoader(ds, { batchSize: 16 })) {
          s.opt.zeroGrad();
          s.lossFn(s.model(x), y).backward();
          s.opt.step();
        }
        prev = ds;
        prevWant = values(ds.tensors[0]);
        for (let i = 0; i < 2; i++) trainEpoch(s, () => torch.randn([256, 1024]));
      }
    });
  });

  it("a hook that stores each gradient it sees", () => {
    const s = setup();
    const w = (s.model.at(2) as torch.nn.Linear).weight;
    const seen: torch.Tensor[] = [];
    const want: number[][] = [];
    w.registerHook((g) => {
      seen.push(g);
      want.push(values(g));
    });
    evictsAndReloads(() => {
      for (let e = 0; e < 3; e++) trainEpoch(s);
      expect(seen.map(values)).toEqual(want);
    });
  });
});

describe("memory safety", () => {
  it("a Parameter cannot wrap a disposed tensor", () => {
    const t = torch.randn([3]);
    t.dispose();
    expect(() => new nn.Parameter(t)).toThrow(/Parameter: tensor of shape \[3\] \(float32\) was freed by dispose\(\)/);
  });

  it("an optimizer over a disposed parameter raises instead of writing into freed memory", () => {
    const w = torch.randn([4], { requiresGrad: true });
    const opt = new torch.optim.SGD([w], { lr: 0.1 });
    w.mul(2).sum().backward();
    const other = torch.zeros([4]);
    w.dispose();
    expect(() => opt.step()).toThrow(/SGD.step: tensor of shape \[4\] \(float32\) was freed by dispose\(\)/);
    expect(other.tolist()).toEqual([0, 0, 0, 0]);
  });

  it("sizes past WebAssembly's 4 GiB are a clear error, never a wrapped allocation", () => {
    const before = torch.memoryStats();
    expect(() => torch.zeros([2 ** 30 + 16])).toThrow(/zeros: cannot allocate a tensor of 1073741840 elements of float32 \(4294967360 bytes\): one tensor can hold at most 2 GiB in WebAssembly memory/);
    expect(() => torch.zeros([1e10])).toThrow(/zeros: cannot allocate a tensor of 10000000000 elements/);
    expect(() => torch.full([2 ** 29 + 1], 7, { dtype: "int64" })).toThrow(/full: cannot allocate a tensor of 536870913 elements of int64/);
    expect(torch.memoryStats().bytesInUse).toBe(before.bytesInUse);
    expect(torch.ones([3]).sum().item()).toBe(3);
  });

  it("using a disposed tensor names the op and says it was disposed", () => {
    const t = torch.ones([2, 2]);
    t.dispose();
    expect(() => t.add(1)).toThrow("add: tensor of shape [2, 2] (float32) was freed by dispose()");
    expect(() => t.sum()).toThrow("sum: tensor of shape [2, 2] (float32) was freed by dispose()");
    const one = torch.ones([1]);
    one.dispose();
    expect(() => one.item()).toThrow("read: tensor of shape [1] (float32) was freed by dispose()");
  });
});
