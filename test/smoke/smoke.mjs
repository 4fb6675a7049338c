// The runtime smoke check: import the built bundle, run a matmul and a reduction with a
// backward, a DataLoader with a worker and a product on two threads, and report the numbers. Node, Bun, Deno and Chromium all run this same file.
export async function smoke(url) {
  const torch = await import(url);
  const a = torch.arange(12, { dtype: "float32" }).reshape(3, 4);
  const b = torch.arange(8, { dtype: "float32" }).reshape(4, 2).requiresGrad_();
  const c = a.matmul(b);
  const s = c.sum();
  s.backward();
  // a DataLoader whose batches come from a worker (worker_threads or a Web Worker)
  const ds = new torch.utils.data.TensorDataset(torch.arange(6, { dtype: "float32" }).reshape(3, 2));
  const fromWorker = [];
  for await (const [x] of new torch.utils.data.DataLoader(ds, { batchSize: 2, numWorkers: 1 })) fromWorker.push(x.tolist());
  return { matmul: c.tolist(), sum: s.item(), grad: b.grad.tolist(), worker: fromWorker, threads: await threads(torch), text: c.toString() };
}

/** A product big enough to share, on one thread and on two: the same bits, and a worker took part. */
async function threads(torch) {
  const x = torch.arange(256 * 300, { dtype: "float32" }).reshape(256, 300).sin();
  const y = torch.arange(300 * 200, { dtype: "float32" }).reshape(300, 200).cos();
  const product = async (n) => {
    torch.setNumThreads(n);
    await torch.testing.threadsReady();
    return Array.from(x.matmul(y).toTypedArray());
  };
  const one = await product(1);
  const jobs = torch.testing.threadPoolStats().jobs;
  const two = await product(2);
  return { identical: one.every((v, i) => Object.is(v, two[i])), shared: torch.testing.threadPoolStats().jobs > jobs };
}

export const expected = {
  matmul: [[28, 34], [76, 98], [124, 162]],
  sum: 522,
  grad: [[12, 12], [15, 15], [18, 18], [21, 21]],
  worker: [[[0, 1], [2, 3]], [[4, 5]]],
  threads: { identical: true, shared: true },
};
