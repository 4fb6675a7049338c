// A static file server for the repository (127.0.0.1 only): the browser smoke test, the web
// app's test, and `npm run web` serve dist/, examples/ and out/ through it. Every response is
// cross-origin isolated (COOP/COEP), so pages may share WebAssembly memory with workers and
// taimatsu runs on all cores there.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, resolve } from "node:path";

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg" };

/** Serves `root` on `port` (0: any free one); `/` answers with an empty page. Resolves to the base URL and a close function. */
export async function serve(root, port = 0) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    res.setHeader("cross-origin-opener-policy", "same-origin");
    res.setHeader("cross-origin-embedder-policy", "require-corp");
    const path = decodeURIComponent(req.url.split("?")[0]);
    if (path === "/") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>taimatsu</title>");
    const file = join(base, path);
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await serve(resolve(import.meta.dirname, ".."), Number(process.env.PORT ?? 8080));
  console.log(`serving the repository at ${url}\n  the digits web app: ${url}/examples/web/index.html\n  the image classifier: ${url}/examples/classify/index.html`);
}
