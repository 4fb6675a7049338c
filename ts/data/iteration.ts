// Python's iter() and next(), for `next(iter(loader))`: the first batch of a loader (or of any
// iterable) without writing a loop. A finished iterator raises, as Python's StopIteration does.

export function iter<T>(source: Iterable<T>): Iterator<T>;
export function iter<T>(source: AsyncIterable<T>): AsyncIterator<T>;
export function iter<T>(source: Iterable<T> | AsyncIterable<T>): Iterator<T> | AsyncIterator<T> {
  if (Symbol.iterator in source) return source[Symbol.iterator]();
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  throw new TypeError(`'${typeof source}' object is not iterable`);
}

const stop = (): Error => Object.assign(new Error("StopIteration: the iterator is exhausted"), { name: "StopIteration" });

/** The iterator's next value; `fallback` instead of raising once it is exhausted, as next(it, default). */
export function next<T>(it: Iterator<T>, ...fallback: [] | [T]): T;
export function next<T>(it: AsyncIterator<T>, ...fallback: [] | [T]): Promise<T>;
export function next<T>(it: Iterator<T> | AsyncIterator<T>, ...fallback: [] | [T]): T | Promise<T> {
  const settle = (r: IteratorResult<T>): T => {
    if (!r.done) return r.value;
    if (fallback.length) return fallback[0] as T;
    throw stop();
  };
  const r = it.next();
  return r instanceof Promise ? r.then(settle) : settle(r as IteratorResult<T>);
}
