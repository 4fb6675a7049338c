// Sequential, ModuleList and ModuleDict. Children are fields named "0", "1", … (or the
// dict's keys), so state-dict keys come out as PyTorch's ("0.weight").
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

function indexed(container: Module, i: number): Module {
  const kids = [...container.children()];
  const j = i < 0 ? i + kids.length : i;
  if (j < 0 || j >= kids.length) throw new RangeError(`index ${i} is out of range`);
  return kids[j];
}

export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.addModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.children()) h = m(h);
    return h;
  }
  /** seq[i] in PyTorch. */
  at(i: number): Module {
    return indexed(this, i);
  }
  get size(): number {
    return [...this.children()].length;
  }
  append(m: Module): this {
    this.addModule(String(this.size), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  at(i: number): Module {
    return indexed(this, i);
  }
  get size(): number {
    return [...this.children()].length;
  }
  append(m: Module): this {
    this.addModule(String(this.size), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.addModule(k, m);
  }
  get(key: string): Module {
    const m = (this as unknown as Record<string, unknown>)[key];
    if (!(m instanceof Module)) throw new Error(`ModuleDict has no key '${key}'`);
    return m;
  }
  set(key: string, m: Module): void {
    this.addModule(key, m);
  }
  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }
}
