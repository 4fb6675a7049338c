// The runtime smoke check: import the built bundle, run a matmul and a reduction with a
// backward and a DataLoader with a worker, and report the numbers. Node, Bun, Deno and Chromium all run this same file.
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
  return { matmul: c.tolist(), sum: s.item(), grad: b.grad.tolist(), worker: fromWorker, text: c.toString() };
}

export const expected = {
  matmul: [[28, 34], [76, 98], [124, 162]],
  sum: 522,
  grad: [[12, 12], [15, 15], [18, 18], [21, 21]],
  worker: [[[0, 1], [2, 3]], [[4, 5]]],
};
