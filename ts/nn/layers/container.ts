// Sequential, ModuleList and ModuleDict. Children are fields named "0", "1", … (or the
// dict's keys), so state-dict keys come out as PyTorch's ("0.weight").
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/** Children named "0", "1", …: indexing, size, append and iteration. */
abstract class IndexedContainer extends Module {
  /** container[i] in PyTorch; negative indices count from the end. */
  at(i: number): Module {
    const kids = [...this.children()];
    const j = i < 0 ? i + kids.length : i;
    if (j < 0 || j >= kids.length) throw new RangeError(`index ${i} is out of range`);
    return kids[j];
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

export class Sequential extends IndexedContainer {
  /** Modules named "0", "1", …, or one Map / object of named modules (PyTorch's OrderedDict form). */
  constructor(...modules: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const named = modules.length === 1 && !(modules[0] instanceof Module) && typeof modules[0] === "object" && modules[0] !== null && !Array.isArray(modules[0]);
    if (named) {
      const entries = modules[0] instanceof Map ? [...modules[0]] : Object.entries(modules[0] as Record<string, Module>);
      for (const [k, m] of entries) this.addModule(k, m);
    } else {
      (modules as unknown[]).forEach((m) => this.append(m as Module));
    }
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.children()) h = m(h);
    return h;
  }
}

export class ModuleList extends IndexedContainer {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
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
