// Types of connmock-admin.mjs: the admin API of connmock (openapi/admin.yaml, served at /__connmock/openapi.json).

export type Vendor = "xpander" | "openint" | "vercel" | "nango";
export type ScenarioKind = "error" | "delay" | "drop" | "state" | "consent";
export type Decision = "approve" | "deny";
export type ConnectionState = "expired" | "revoked";

/** What narrows a scenario's match, and how many requests it answers (1–1000, default 1). */
export interface ScenarioMatch {
  /** A tenant's id or name, as `tenants()` lists them. */
  tenant?: string;
  /** Only requests naming this id in their path. */
  object_id?: string;
  times?: number;
}

export interface ScenarioInput extends ScenarioMatch {
  kind: ScenarioKind;
  vendor: Vendor;
  /** An operationId of the vendor's spec (required but for `state` and `consent`). */
  operation?: string;
  status?: number;
  delay_ms?: number;
  state?: ConnectionState;
  decision?: Decision;
}

export interface Scenario {
  id: string;
  kind: ScenarioKind;
  vendor: Vendor;
  operation?: string;
  tenant?: string;
  object_id?: string;
  times: number;
  remaining: number;
  armed_at: string;
  status?: number;
  delay_ms?: number;
  state?: ConnectionState;
  decision?: Decision;
}

export interface Tenant {
  id: string;
  name: string;
  /** Per vendor its `base_url`, the keys to call it with, and its seeded ids. */
  vendors: Record<Vendor, { base_url: string; [key: string]: unknown }>;
}

export interface JournalEntry {
  at: string;
  vendor: Vendor | null;
  operation: string | null;
  method: string;
  path: string;
  query: string;
  /** 0 when no answer was sent (a dropped connection). */
  status: number;
  duration_ms: number;
  request_body: unknown;
  response_body: unknown;
  /** The scenario the request consumed, e.g. `scn_1 error 500`. */
  scenario?: string | null;
  [key: string]: unknown;
}

export interface WebhookTargetInput {
  url: string;
  secondary_url?: string | null;
  /** Signs the webhooks; the tenant's Nango secret key when left out. Never shown again. */
  signing_key?: string;
  on_auth_creation?: boolean;
  on_auth_refresh_error?: boolean;
}

export interface WebhookTarget {
  tenant: string;
  vendor: string;
  url: string;
  secondary_url?: string | null;
  /** Which key signs (never the key itself). */
  signing_key?: string;
  on_auth_creation?: boolean;
  on_auth_refresh_error?: boolean;
}

export interface WebhookTargets {
  webhooks: Array<Record<string, unknown>>;
  vendors_with_webhooks: Vendor[];
  vendors_without_webhooks: Vendor[];
}

export interface WebhookDelivery {
  at: string;
  /** The id shared by every attempt of one webhook. */
  delivery: string;
  vendor: string;
  tenant: string;
  /** e.g. `auth.creation`. */
  event: string;
  /** User info and secret-looking query values redacted. */
  url: string;
  attempt: number;
  /** null: no answer (`error` says why). */
  status: number | null;
  error: string | null;
  outcome: "delivered" | "retrying" | "failed" | "dropped";
  /** The payload as sent. */
  body: unknown;
}

export interface HostedFlowResult {
  /** The page's status: 200 for a result page, a 3xx for a redirect to the flow's return URL. */
  status: number;
  /** The return URL it redirects to, when it does. */
  location: string | null;
  html: string;
}

/** A non-2xx answer: the status and the server's JSON (`{error, field?}` or `{error, fields?}`). */
export class ConnmockAdminError extends Error {
  constructor(method: string, path: string, status: number, body: unknown);
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
  readonly field?: string;
  readonly fields?: Record<string, string>;
}

export interface ConnmockAdminOptions {
  /** The `--admin-token` the mock was started with (sent as `X-Connmock-Admin-Token`). */
  token?: string;
  /** Another `fetch` (default: the global one). */
  fetch?: typeof fetch;
}

export class ConnmockAdmin {
  constructor(baseUrl: string, options?: ConnmockAdminOptions);
  readonly baseUrl: string;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;

  reset(): Promise<{ reset: true }>;
  health(): Promise<{ status: "ok"; records: number }>;
  tenants(): Promise<Tenant[]>;
  tenant(idOrName?: string): Promise<Tenant>;
  journal(): Promise<JournalEntry[]>;

  armScenario(input: ScenarioInput): Promise<Scenario>;
  armError(vendor: Vendor, operation: string, status: number, match?: ScenarioMatch): Promise<Scenario>;
  armDelay(vendor: Vendor, operation: string, delayMs: number, match?: ScenarioMatch): Promise<Scenario>;
  armDrop(vendor: Vendor, operation: string, match?: ScenarioMatch): Promise<Scenario>;
  armState(vendor: "nango" | "openint", objectId: string, state: ConnectionState,
           match?: ScenarioMatch & { operation?: string }): Promise<Scenario>;
  armConsent(vendor: Vendor, decision: Decision, match?: Pick<ScenarioMatch, "times">): Promise<Scenario>;
  scenarios(): Promise<Scenario[]>;
  scenario(id: string): Promise<Scenario>;
  disarmScenario(id: string): Promise<{ removed: string }>;
  clearScenarios(): Promise<number>;

  decideHostedFlow(link: string, decision: Decision): Promise<HostedFlowResult>;
  approveHostedFlow(link: string): Promise<HostedFlowResult>;
  denyHostedFlow(link: string): Promise<HostedFlowResult>;

  webhookTargets(): Promise<WebhookTargets>;
  setWebhookTarget(tenant: string, vendor: "nango", target: WebhookTargetInput): Promise<WebhookTarget>;
  webhookTarget(tenant: string, vendor: "nango"): Promise<WebhookTarget>;
  deleteWebhookTarget(tenant: string, vendor: "nango"): Promise<{ deleted: boolean }>;
  webhookDeliveries(): Promise<WebhookDelivery[]>;
  waitForWebhookDelivery(predicate?: (delivery: WebhookDelivery) => boolean,
                         options?: { timeoutMs?: number; intervalMs?: number }): Promise<WebhookDelivery>;
  sendNangoRefreshFailure(tenant: string, refresh: {
    providerConfigKey: string;
    connectionId: string;
    error?: { type: string; description: string };
  }): Promise<{ queued: boolean }>;
}

export default ConnmockAdmin;
