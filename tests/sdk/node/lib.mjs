// Shared by the SDK scripts: read the arguments, run each operation, print one JSON document of outcomes.
//
// Usage of every script: node <script>.mjs <base_url> <json>   (the JSON holds keys, ids and canaries)

export function args() {
  const [baseUrl, raw] = process.argv.slice(2);
  if (!baseUrl || !raw) {
    console.error(`usage: node ${process.argv[1]} <base_url> <json>`);
    process.exit(2);
  }
  return { baseUrl, ...JSON.parse(raw) };
}

function describeError(err) {
  const out = { name: err?.constructor?.name ?? typeof err, message: String(err?.message ?? err) };
  for (const key of ['statusCode', 'code', 'type', 'body']) {
    if (err?.[key] !== undefined && typeof err[key] !== 'object') out[key] = err[key];
  }
  if (err?.error && typeof err.error === 'object') out.error = err.error; // Vercel's ConnectError
  if (err?.response) out.response = { status: err.response.status, data: err.response.data }; // axios
  return out;
}

export class Outcomes {
  constructor() {
    this.results = {};
  }

  // Run `fn`; keep its value (passed through `pick`, if given) or the error it threw.
  async run(name, fn, pick = (v) => v) {
    try {
      const value = await fn();
      this.results[name] = { ok: true, value: pick(value) ?? null };
      return value;
    } catch (err) {
      this.results[name] = { ok: false, error: describeError(err) };
      return undefined;
    }
  }

  print() {
    process.stdout.write(JSON.stringify(this.results) + '\n');
  }
}
