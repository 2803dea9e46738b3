// connmock's admin API (`/__connmock/…`, described by `/__connmock/openapi.json`) for test code: reset, the
// seeded tenants and their keys, the journal, scenarios, webhooks, and deciding a hosted connect flow without a
// browser. No dependencies: the global `fetch` of Node >= 18 and of browsers.

const PAGES = "/__connmock/pages/";

/** A non-2xx answer of the admin API (or of a hosted page it drove): the status and the server's JSON. */
export class ConnmockAdminError extends Error {
  constructor(method, path, status, body) {
    const said = body && typeof body === "object" && typeof body.error === "string" ? body.error : String(body ?? "");
    super(`${method} ${path} answered ${status}${said ? `: ${said}` : ""}`);
    this.name = "ConnmockAdminError";
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body;
    // `field` (scenarios) or `fields` (webhooks): what the server refused, when it says
    this.field = body && typeof body === "object" ? body.field : undefined;
    this.fields = body && typeof body === "object" ? body.fields : undefined;
  }
}

function parse(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function segment(value, name) {
  if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be a non-empty string`);
  return encodeURIComponent(value);
}

export class ConnmockAdmin {
  /**
   * @param {string} baseUrl the mock's base URL, e.g. `http://127.0.0.1:8080`
   * @param {{token?: string, fetch?: typeof fetch}} [options] `token`: the `--admin-token` the mock was started with
   */
  constructor(baseUrl, options = {}) {
    if (typeof baseUrl !== "string" || !/^https?:\/\//.test(baseUrl)) {
      throw new TypeError("baseUrl must be an http(s) URL, e.g. http://127.0.0.1:8080");
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.token = options.token;
    const fetcher = options.fetch ?? globalThis.fetch;
    if (typeof fetcher !== "function") throw new TypeError("no fetch: use Node >= 18 or pass options.fetch");
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Any admin call: `path` under the base URL; a JSON answer, or a `ConnmockAdminError` for a non-2xx one. */
  async request(method, path, body) {
    const headers = { accept: "application/json" };
    if (this.token) headers["x-connmock-admin-token"] = this.token;
    const changes = method !== "GET" && method !== "HEAD";
    // The admin API takes a state-changing call only with a JSON content type or the token header
    if (changes) headers["content-type"] = "application/json";
    const init = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.fetch(this.baseUrl + path, init);
    const answer = parse(await response.text());
    if (!response.ok) throw new ConnmockAdminError(method, path, response.status, answer);
    return answer;
  }

  // --- the mock ---------------------------------------------------------------------------------------------

  /** Empty the store and the journal, disarm every scenario (webhook targets are kept). */
  async reset() {
    return this.request("POST", "/__connmock/reset", {});
  }

  /** `{status: "ok", records}`. */
  async health() {
    return this.request("GET", "/__connmock/health");
  }

  /** The seeded tenants: per vendor its `base_url`, the keys to call it with, and its seeded ids. */
  async tenants() {
    return (await this.request("GET", "/__connmock/tenants")).tenants;
  }

  /** One tenant by id or name (the first when left out). */
  async tenant(idOrName) {
    const all = await this.tenants();
    const found = idOrName === undefined ? all[0] : all.find((t) => t.id === idOrName || t.name === idOrName);
    if (!found) throw new Error(`no tenant ${idOrName} (there are ${all.map((t) => t.id).join(", ")})`);
    return found;
  }

  /** The request journal, oldest first (secrets redacted). */
  async journal() {
    return (await this.request("GET", "/__connmock/requests")).requests;
  }

  // --- scenarios (docs/scenarios.md) ----------------------------------------------------------------------------

  /** Arm any scenario: `{kind, vendor, operation?, tenant?, object_id?, times?, status?, delay_ms?, state?, decision?}`. */
  async armScenario(input) {
    return this.request("POST", "/__connmock/scenarios", input);
  }

  /** The next matching request answers this documented error status, in the vendor's error shape. */
  async armError(vendor, operation, status, match = {}) {
    return this.armScenario({ ...match, kind: "error", vendor, operation, status });
  }

  /** The next matching request answers as usual, `delayMs` later. */
  async armDelay(vendor, operation, delayMs, match = {}) {
    return this.armScenario({ ...match, kind: "delay", vendor, operation, delay_ms: delayMs });
  }

  /** The next matching request gets no answer: the connection is closed. */
  async armDrop(vendor, operation, match = {}) {
    return this.armScenario({ ...match, kind: "drop", vendor, operation });
  }

  /** Reads of connection `objectId` show it `expired` or `revoked` (nango, openint). */
  async armState(vendor, objectId, state, match = {}) {
    return this.armScenario({ ...match, kind: "state", vendor, object_id: objectId, state });
  }

  /** The vendor's next hosted flow decides itself (`approve` or `deny`) when its page is opened. */
  async armConsent(vendor, decision, match = {}) {
    return this.armScenario({ ...match, kind: "consent", vendor, decision });
  }

  /** The armed scenarios, oldest first. */
  async scenarios() {
    return (await this.request("GET", "/__connmock/scenarios")).scenarios;
  }

  /** One armed scenario (with its `remaining` uses). */
  async scenario(id) {
    return this.request("GET", `/__connmock/scenarios/${segment(id, "id")}`);
  }

  /** Disarm one scenario. */
  async disarmScenario(id) {
    return this.request("DELETE", `/__connmock/scenarios/${segment(id, "id")}`);
  }

  /** Disarm every scenario; how many were armed. */
  async clearScenarios() {
    return (await this.request("DELETE", "/__connmock/scenarios")).cleared;
  }

  // --- hosted flows without a browser ---------------------------------------------------------------------------

  /**
   * Decide a hosted connect flow the way its user would, without a browser: arm a `consent` scenario for the
   * link's vendor and open the link (its page submits its own form with the decision). `link` is what the
   * vendor's API handed out (`connector_page_url`, `url`, `connect_link`, `magic_link_url`, Nango's OAuth URL).
   * Returns the page's answer: `{status, location, html}` (`location`: the return URL it redirects to, if any).
   * Throws when the page did not take the decision (an expired or used link); the scenario is then disarmed.
   * Meant for Node: a browser page cannot read another origin's page.
   */
  async decideHostedFlow(link, decision) {
    const url = new URL(link, this.baseUrl);
    if (!url.pathname.startsWith(PAGES)) throw new TypeError(`${link} is not a hosted page of connmock (${PAGES}…)`);
    const vendor = url.pathname.slice(PAGES.length).split("/")[0];
    const armed = await this.armConsent(vendor, decision);
    let response;
    let html;
    try {
      response = await this.fetch(url.href, { redirect: "manual" });
      html = await response.text();
    } finally {
      // a page that took no decision (or no answer at all) leaves the scenario armed: disarm it
      if ((await this.scenarios()).some((s) => s.id === armed.id)) {
        await this.disarmScenario(armed.id).catch(() => undefined);
        if (response !== undefined) {
          throw new ConnmockAdminError("GET", url.pathname, response.status,
            { error: "the page took no decision (an expired or used link?)", page: html });
        }
      }
    }
    return { status: response.status, location: response.headers.get("location"), html };
  }

  /** `decideHostedFlow(link, "approve")`. */
  async approveHostedFlow(link) {
    return this.decideHostedFlow(link, "approve");
  }

  /** `decideHostedFlow(link, "deny")`. */
  async denyHostedFlow(link) {
    return this.decideHostedFlow(link, "deny");
  }

  // --- webhooks (docs/webhooks.md) ------------------------------------------------------------------------------

  /** Every tenant's targets, and which vendors send webhooks at all. */
  async webhookTargets() {
    return this.request("GET", "/__connmock/webhooks");
  }

  /** Where `tenant`'s webhooks of `vendor` go: `{url, secondary_url?, signing_key?, on_auth_creation?, on_auth_refresh_error?}`. */
  async setWebhookTarget(tenant, vendor, target) {
    return this.request("PUT", `/__connmock/webhooks/${segment(tenant, "tenant")}/${segment(vendor, "vendor")}`, target);
  }

  /** The tenant's target (its signing key never shown). */
  async webhookTarget(tenant, vendor) {
    return this.request("GET", `/__connmock/webhooks/${segment(tenant, "tenant")}/${segment(vendor, "vendor")}`);
  }

  /** Stop sending the tenant's webhooks of this vendor. */
  async deleteWebhookTarget(tenant, vendor) {
    return this.request("DELETE", `/__connmock/webhooks/${segment(tenant, "tenant")}/${segment(vendor, "vendor")}`);
  }

  /** Every delivery attempt, oldest first. */
  async webhookDeliveries() {
    return (await this.request("GET", "/__connmock/webhooks/deliveries")).deliveries;
  }

  /** Poll the deliveries until one matches `predicate` (default: any); throws after `timeoutMs`. */
  async waitForWebhookDelivery(predicate = () => true, { timeoutMs = 10000, intervalMs = 50 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.webhookDeliveries()).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching webhook delivery within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Send Nango's `auth` webhook of a failed token refresh for one connection; `{queued}`. */
  async sendNangoRefreshFailure(tenant, { providerConfigKey, connectionId, error } = {}) {
    const body = { provider_config_key: providerConfigKey, connection_id: connectionId };
    if (error !== undefined) body.error = error;
    return this.request("POST", `/__connmock/webhooks/${segment(tenant, "tenant")}/nango/refresh-failure`, body);
  }
}

export default ConnmockAdmin;
