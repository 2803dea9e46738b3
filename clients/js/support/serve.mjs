// A real `connmock serve` on a free loopback port for the tests. The command: $CONNMOCK_BIN (the `connmock`
// executable), else `connmock` on PATH, else `python3 -m connmock.cli` (connmock installed in that Python).
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export function connmockCommand() {
  if (process.env.CONNMOCK_BIN) return [process.env.CONNMOCK_BIN];
  if (spawnSync("connmock", ["--version"], { stdio: "ignore" }).status === 0) return ["connmock"];
  const python = process.env.PYTHON || "python3";
  if (spawnSync(python, ["-c", "import connmock.cli"], { stdio: "ignore" }).status === 0) {
    return [python, "-m", "connmock.cli"];
  }
  throw new Error("connmock not found: set CONNMOCK_BIN to the connmock executable, or put it on PATH");
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Start `connmock serve --port P ...flags`; resolves to `{url, stop}` once `/__connmock/health` answers. */
export async function startConnmock(flags = [], { headers = {}, timeoutMs = 30000 } = {}) {
  const [command, ...prefix] = connmockCommand();
  const port = await freePort();
  const child = spawn(command, [...prefix, "serve", "--port", String(port), ...flags],
    { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  let exited = null;
  child.once("exit", (code, signal) => { exited = code ?? signal; });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => new Promise((resolve) => {
    if (exited !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`connmock serve exited (${exited}):\n${stderr}`);
    try {
      const response = await fetch(`${url}/__connmock/health`, { headers });
      if (response.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`connmock serve did not answer within ${timeoutMs} ms:\n${stderr}`);
}
