// Whether ops record the graph: torch.noGrad / enableGrad / setGradEnabled.
// Each public noGrad() call is also a memory boundary (see tensor/lifetime.ts): evaluation
// loops that call it once per step stay flat without any DataLoader or optimizer.
import { Boundary } from "../tensor/lifetime.js";

let enabled = true;
const noGradCalls = new Boundary();

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as PromiseLike<unknown>).then === "function";
}

/** Runs fn with grad mode set to `mode`; for an async fn, until its promise settles. */
export function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = prev;
    throw e;
  }
  if (isThenable(result)) {
    return Promise.resolve(result).finally(() => {
      enabled = prev;
    }) as T;
  }
  enabled = prev;
  return result;
}

/** torch.no_grad(): ops inside fn build no graph. Works around sync and async functions. */
export function noGrad<T>(fn: () => T): T {
  noGradCalls.cross();
  return withGradMode(false, fn);
}

/** torch.enable_grad(): re-enables recording inside a noGrad region. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
