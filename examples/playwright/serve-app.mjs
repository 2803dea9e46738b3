// The "frontend": examples/ served as static files (demo.html is the app's connect screen), on another origin
// than the mock's, as an app's dev server would be. Usage: node serve-app.mjs PORT
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css" };
const port = Number(process.argv[2] ?? 8791);

createServer(async (request, response) => {
  const path = normalize(join(ROOT, decodeURIComponent(new URL(request.url, "http://app").pathname)));
  if (!path.startsWith(ROOT) || path.split(sep).includes("node_modules")) {
    response.writeHead(404).end("not found");
    return;
  }
  try {
    const body = await readFile(path);
    response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch {
    response.writeHead(404).end("not found");
  }
}).listen(port, "127.0.0.1", () => console.log(`app on http://127.0.0.1:${port}/demo.html`));
