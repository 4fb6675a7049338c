// nn.Module: parameters and submodules assigned as fields are discovered in assignment
// order (as PyTorch's __setattr__ registers them), buffers are registered explicitly, and a
// module is callable: `net(x)` runs `net.forward(x)`.
import { withGradMode } from "../autograd/mode.js";
import { Boundary, external, internal } from "../tensor/lifetime.js";
import { DType } from "../tensor/dtype.js";
import { fmtShape } from "../tensor/shape.js";
import { gradOf, Tensor } from "../tensor/tensor.js";
import { device as checkDevice } from "../ops/convert.js";
import { Parameter } from "./parameter.js";

export type StateDict = Record<string, Tensor>;

interface ModuleInternals {
  training: boolean;
  buffers: Set<string>;
  nonPersistent: Set<string>;
  zeroGrads: Boundary;
}

const internals = new WeakMap<Module, ModuleInternals>();
const state = (m: Module): ModuleInternals => internals.get(m)!;

/**
 * The forward methods of taimatsu's own modules, each wrapped to run as an internal scope
 * (tensor/lifetime.ts): its intermediates never reach user code, so those no graph node holds
 * are freed when it returns — whether the module is called, `net(x)`, or its forward is
 * (`this.conv1.forward(x)`, or `super.forward(x)` in a subclass). Any other forward is user
 * code: calling its module hands it its arguments.
 */
const libraryForwards = new WeakSet<(...args: any[]) => any>();

/** Registers the Module classes among `exports` as taimatsu's own (done once, in nn/index.ts). */
export function registerLibraryModules(exports: Record<string, unknown>): void {
  for (const v of Object.values(exports)) {
    if (typeof v !== "function" || !(v.prototype instanceof Module)) continue;
    // an inherited forward (from a base class not exported) is wrapped on the class itself
    const forward = v.prototype.forward as (...args: any[]) => any;
    if (typeof forward !== "function" || libraryForwards.has(forward)) continue;
    const scoped = function (this: Module, ...args: any[]): any {
      return internal(() => forward.apply(this, args));
    };
    Object.defineProperty(v.prototype, "forward", { value: scoped, writable: true, configurable: true });
    libraryForwards.add(scoped);
  }
}

function callForward(m: Module, args: any[]): any {
  const forward = m.forward;
  if (libraryForwards.has(forward)) return forward.apply(m, args);
  return external(args, () => forward.apply(m, args));
}

/** What a value that should have been a module is, for the error: a class given without `new` is named as such. */
function describeNonModule(v: unknown): string {
  if (typeof v === "function" && v.prototype instanceof Module) return `${v.name} (the class itself: create one with new ${v.name}(…))`;
  if (v === undefined) return "undefined";
  if (typeof v === "object" && v !== null) return v.constructor?.name ?? "object";
  return typeof v;
}

/** Modules are callable: net(x) is net.forward(x), typed as the module's own forward. */
export interface Module {
  (...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

export class Module {
  constructor() {
    // A function object with this class's prototype: calling it calls forward.
    const self = ((...args: any[]) => callForward(self, args)) as unknown as Module;
    Object.setPrototypeOf(self, new.target.prototype);
    // functions carry `name` and `length`; a module may want fields with those names
    delete (self as unknown as { name?: string }).name;
    delete (self as unknown as { length?: number }).length;
    internals.set(self, { training: true, buffers: new Set(), nonPersistent: new Set(), zeroGrads: new Boundary() });
    return self;
  }

  forward(..._args: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  get training(): boolean {
    return state(this).training;
  }

  // ---- registration -------------------------------------------------------------------

  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    const s = state(this);
    if (name.includes(".")) throw new Error(`buffer name can't contain "."`);
    s.buffers.add(name);
    if (persistent) s.nonPersistent.delete(name);
    else s.nonPersistent.add(name);
    tensor?.keep();
    (this as unknown as Record<string, Tensor | null>)[name] = tensor;
  }

  registerParameter(name: string, param: Parameter | null): void {
    if (name.includes(".")) throw new Error(`parameter name can't contain "."`);
    (this as unknown as Record<string, Parameter | null>)[name] = param;
  }

  addModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${describeNonModule(module)} is not a Module subclass`);
    if (name.includes(".")) throw new Error(`module name can't contain ".", got: ${name}`);
    (this as unknown as Record<string, Module | null>)[name] = module;
  }

  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  private fields(): [string, unknown][] {
    return Object.entries(this);
  }

  // ---- traversal ----------------------------------------------------------------------

  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.fields()) if (v instanceof Module) yield [k, v];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** Pre-order: this module, then each child's subtree; each module once. */
  *namedModules(prefix = "", seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k, seen);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Direct parameters of this module (not of children), in assignment order. @internal */
  *ownParameters(): Generator<[string, Parameter]> {
    for (const [k, v] of this.fields()) if (v instanceof Parameter) yield [k, v];
  }

  /** @internal */
  *ownBuffers(): Generator<[string, Tensor]> {
    const obj = this as unknown as Record<string, Tensor | null>;
    for (const name of state(this).buffers) {
      const b = obj[name];
      if (b instanceof Tensor) yield [name, b];
    }
  }

  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${k}` : k, p];
      }
    }
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters("", recurse)) yield p;
  }

  *namedBuffers(prefix = "", recurse = true): Generator<[string, Tensor]> {
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) for (const [k, b] of m.ownBuffers()) yield [mp ? `${mp}.${k}` : k, b];
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers("", recurse)) yield b;
  }

  // ---- modes and gradients ------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.modules()) state(m).training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's grad to null (default, as PyTorch 2.x) or to zero; a memory boundary. */
  zeroGrad(setToNone = true): void {
    state(this).zeroGrads.cross();
    for (const p of this.parameters()) {
      const g = gradOf(p);
      if (g === null) continue;
      if (setToNone) p.grad = null;
      else withGradMode(false, () => g.zero_());
    }
  }

  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- devices and dtypes -------------------------------------------------------------

  /** module.to("cpu") is a no-op as in PyTorch on the same device; a dtype converts floats. */
  to(target: DType | string | { type: string }): this {
    if (typeof target === "string" && ["float32", "float64"].includes(target)) return this.castFloats(target as DType);
    checkDevice(target as string);
    return this;
  }

  cpu(): this {
    return this;
  }

  /** The error `.to("cuda")` gives: taimatsu runs on the CPU. */
  cuda(device: number | string = "cuda"): this {
    checkDevice(typeof device === "number" ? `cuda:${device}` : device);
    return this;
  }

  float(): this {
    return this.castFloats("float32");
  }

  double(): this {
    return this.castFloats("float64");
  }

  private castFloats(dtype: DType): this {
    for (const m of this.modules()) {
      const obj = m as unknown as Record<string, Tensor | null>;
      for (const [k, p] of [...m.ownParameters()]) {
        if (p.isFloatingPoint() && p.dtype !== dtype) obj[k] = new Parameter(p.detach().to(dtype), p.requiresGrad);
      }
      for (const [k, b] of [...m.ownBuffers()]) {
        if (b.isFloatingPoint() && b.dtype !== dtype) obj[k] = b.to(dtype).keep();
      }
    }
    return this;
  }

  // ---- state dicts --------------------------------------------------------------------

  /** Parameters then persistent buffers of each module, pre-order, with PyTorch's key names. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [mp, m] of this.namedModules()) {
      const key = (k: string) => (mp ? `${mp}.${k}` : k);
      for (const [k, p] of m.ownParameters()) out[key(k)] = p.detach();
      const np = state(m).nonPersistent;
      for (const [k, b] of m.ownBuffers()) if (!np.has(k)) out[key(k)] = b.detach();
    }
    return out;
  }

  /**
   * Copies a state dict in. Every key and shape is checked before anything is written, so
   * a failed load leaves the module unchanged. Shape mismatches are errors even when not strict.
   */
  loadStateDict(sd: StateDict, opts: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !(k in own));
    const errors: string[] = [];
    if (strict && missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    if (strict && unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
    for (const [k, t] of Object.entries(sd)) {
      const mine = own[k];
      if (mine && mine.shape.join() !== t.shape.join()) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape torch.Size(${fmtShape(t.shape)}) from checkpoint, ` +
            `the shape in current model is torch.Size(${fmtShape(mine.shape)}).`,
        );
      }
    }
    if (errors.length) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    }
    withGradMode(false, () => {
      for (const [k, t] of Object.entries(sd)) if (own[k]) own[k].copy_(t);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -----------------------------------------------------------------------

  /** The text inside the parentheses of this module's repr, as PyTorch's extra_repr. */
  extraRepr(): string {
    return "";
  }

  toString(): string {
    const children = [...this.namedChildren()];
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = extra ? extra.split("\n") : [];
    for (const [k, c] of children) lines.push(`(${k}): ${String(c).split("\n").join("\n  ")}`);
    return `${this.constructor.name}(\n  ${lines.join("\n  ")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
