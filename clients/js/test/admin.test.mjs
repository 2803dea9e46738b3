// Every method of the client against a real `connmock serve`, judged by its effect on the vendors' APIs.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";

import { ConnmockAdmin, ConnmockAdminError } from "../connmock-admin.mjs";
import { startConnmock } from "../support/serve.mjs";

let mock;
let admin;
let acme;

before(async () => {
  mock = await startConnmock();
  admin = new ConnmockAdmin(mock.url + "/");  // a trailing slash is taken
  acme = await admin.tenant("acme");
});

after(async () => {
  await mock?.stop();
});

beforeEach(async () => {
  await admin.reset();
});

// --- the vendors' APIs, as a frontend's backend calls them -------------------------------------------------------

async function vendorCall(vendor, method, path, body) {
  const auth = {
    xpander: { "x-api-key": acme.vendors.xpander.users[0].api_key },
    vercel: { authorization: `Bearer ${acme.vendors.vercel.token}` },
    nango: { authorization: `Bearer ${acme.vendors.nango.secret_key}` },
  }[vendor];
  const headers = { ...auth };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${mock.url}/${vendor}${path}`,
    { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function createNango(connectionId, credentials = { type: "OAUTH2", access_token: "gho_client_test" }) {
  return vendorCall("nango", "POST", "/connections", { provider_config_key: "github", connection_id: connectionId, credentials });
}

async function xpanderLink() {
  const drive = acme.vendors.xpander.connectors.find((c) => c.name === "Google Drive");
  const made = await vendorCall("xpander", "POST", `/v1/connectors/${drive.id}/connect`, { name: "Team drive" });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  return { drive, connection: made.body, link: made.body.connector_page_url };
}

async function xpanderStatus(driveId, connectionId) {
  const listed = await vendorCall("xpander", "GET", "/v1/connectors?page=1&per_page=50");
  const connector = listed.body.items.find((c) => c.id === driveId);
  return connector.connections.find((c) => c.id === connectionId)?.status;
}

// --- the mock --------------------------------------------------------------------------------------------------

describe("the mock", () => {
  test("health counts the stored records and reset empties the store, the journal and the scenarios", async () => {
    const before = (await admin.health()).records;
    assert.equal((await createNango("reset-me")).status, 201);
    const health = await admin.health();
    assert.equal(health.status, "ok");
    assert.ok(health.records > before, `records ${before} -> ${health.records}`);
    await admin.armDrop("nango", "listConnections");
    assert.ok((await admin.journal()).length > 0);

    assert.deepEqual(await admin.reset(), { reset: true });
    assert.equal((await admin.health()).records, before);
    assert.deepEqual(await admin.journal(), []);
    assert.deepEqual(await admin.scenarios(), []);
    const listed = await vendorCall("nango", "GET", "/connections");  // the drop was disarmed: this answers
    assert.equal(listed.status, 200);
    assert.ok(!listed.body.connections.some((c) => c.connection_id === "reset-me"));
  });

  test("tenants lists every seeded tenant with its keys; tenant() finds one by id or name", async () => {
    const tenants = await admin.tenants();
    assert.ok(tenants.length >= 2);
    assert.deepEqual(tenants.map((t) => t.id).slice(0, 2), ["acme", "globex"]);
    const byName = await admin.tenant("Acme Corp");
    assert.equal(byName.id, "acme");
    assert.equal((await admin.tenant()).id, "acme");
    assert.match(byName.vendors.nango.secret_key, /^[0-9a-f-]{36}$/);
    assert.equal(byName.vendors.nango.base_url, `${mock.url}/nango`);
    await assert.rejects(admin.tenant("initech"), /no tenant initech/);
  });

  test("journal holds the vendor calls, oldest first, with secrets redacted", async () => {
    await createNango("journalled", { type: "OAUTH2", access_token: "gho_journal_secret_value" });
    await vendorCall("nango", "GET", "/connections");
    const journal = await admin.journal();
    assert.deepEqual(journal.map((e) => [e.method, e.operation, e.status]),
      [["POST", "createConnection", 201], ["GET", "listConnections", 200]]);
    assert.equal(journal[0].vendor, "nango");
    assert.ok(!JSON.stringify(journal).includes("gho_journal_secret_value"), "the access token is redacted");
  });

  test("a refusal is a ConnmockAdminError with the status and the server's JSON", async () => {
    const error = await admin.request("GET", "/__connmock/no-such-thing").catch((e) => e);
    assert.ok(error instanceof ConnmockAdminError);
    assert.equal(error.status, 404);
    assert.match(error.body.error, /no admin endpoint GET \/__connmock\/no-such-thing/);
    assert.match(error.message, /^GET \/__connmock\/no-such-thing answered 404: no admin endpoint/);
    assert.throws(() => new ConnmockAdmin("127.0.0.1:8080"), TypeError);
  });

  test("state-changing calls carry Content-Type: application/json (the mock refuses them otherwise)", async () => {
    const bare = await fetch(`${mock.url}/__connmock/reset`, { method: "POST" });
    assert.equal(bare.status, 403);  // what the client would get without the header
    const seen = [];
    const spying = new ConnmockAdmin(mock.url, {
      fetch: (url, init) => { seen.push(init.headers["content-type"]); return fetch(url, init); },
    });
    await spying.reset();
    await spying.clearScenarios();
    assert.deepEqual(seen, ["application/json", "application/json"]);
  });
});

// --- scenarios -------------------------------------------------------------------------------------------------

describe("scenarios", () => {
  test("error: the next Nango create answers its documented 500, the one after it creates", async () => {
    const armed = await admin.armError("nango", "createConnection", 500);
    assert.equal(armed.kind, "error");
    const first = await createNango("after-500");
    assert.equal(first.status, 500);
    assert.equal(typeof first.body.error.code, "string", JSON.stringify(first.body));  // Nango's error shape
    assert.equal((await createNango("after-500")).status, 201);
    const journal = await admin.journal();
    assert.equal(journal[0].scenario, `${armed.id} error 500`);
    assert.equal(journal[1].scenario ?? null, null);
    assert.deepEqual(await admin.scenarios(), []);  // used up
  });

  test("error: a status the operation does not document is refused, naming the field", async () => {
    const error = await admin.armError("nango", "listConnections", 503).catch((e) => e);
    assert.ok(error instanceof ConnmockAdminError);
    assert.equal(error.status, 400);
    assert.equal(error.field, "status");
    assert.match(error.body.error, /400, 401, 403, 429/);
  });

  test("delay: the next two lists of the tenant answer that much later, the third at once", async () => {
    await admin.armDelay("nango", "listConnections", 700, { times: 2, tenant: "acme" });
    for (const expectSlow of [true, true, false]) {
      const started = performance.now();
      assert.equal((await vendorCall("nango", "GET", "/connections")).status, 200);
      const took = performance.now() - started;
      if (expectSlow) assert.ok(took >= 690, `took ${took} ms`);
      else assert.ok(took < 690, `took ${took} ms`);
    }
  });

  test("drop: the next list gets no answer (a network error) and is journalled with status 0", async () => {
    const armed = await admin.armDrop("nango", "listConnections");
    await assert.rejects(vendorCall("nango", "GET", "/connections"), TypeError);  // fetch: "fetch failed"
    assert.equal((await vendorCall("nango", "GET", "/connections")).status, 200);
    const dropped = (await admin.journal()).find((e) => e.scenario === `${armed.id} drop`);
    assert.equal(dropped?.status, 0);
  });

  test("state: an expired Nango connection reads as the failed refresh (424 invalid_credentials)", async () => {
    await createNango("expiring", { type: "OAUTH2", access_token: "gho_x", refresh_token: "ghr_x" });
    await admin.armState("nango", "expiring", "expired");
    const read = () => vendorCall("nango", "GET", "/connections/expiring?provider_config_key=github");
    const expired = await read();
    assert.equal(expired.status, 424);
    assert.equal(expired.body.error.code, "invalid_credentials");
    assert.equal((await read()).status, 200);  // once (times: 1)
  });

  test("consent: the next xpander page denies by itself when opened", async () => {
    await admin.armConsent("xpander", "deny");
    const { drive, connection, link } = await xpanderLink();
    const page = await (await fetch(link)).text();
    assert.match(page, /Access denied/);
    assert.equal(await xpanderStatus(drive.id, connection.id), "denied");
  });

  test("list, read, disarm one, clear all", async () => {
    const a = await admin.armError("nango", "createConnection", 500);
    const b = await admin.armDelay("nango", "listConnections", 1000, { times: 3 });
    const c = await admin.armConsent("xpander", "approve");
    assert.deepEqual((await admin.scenarios()).map((s) => s.id), [a.id, b.id, c.id]);
    assert.equal((await admin.scenario(b.id)).remaining, 3);

    assert.deepEqual(await admin.disarmScenario(a.id), { removed: a.id });
    assert.equal((await createNango("not-failed")).status, 201);  // the disarmed 500 did not fire
    const missing = await admin.scenario(a.id).catch((e) => e);
    assert.equal(missing.status, 404);
    assert.equal((await admin.disarmScenario(a.id).catch((e) => e)).status, 404);

    assert.equal(await admin.clearScenarios(), 2);
    assert.deepEqual(await admin.scenarios(), []);
    const started = performance.now();
    await vendorCall("nango", "GET", "/connections");
    assert.ok(performance.now() - started < 900, "the cleared delay did not fire");
  });
});

// --- hosted flows without a browser ----------------------------------------------------------------------------

describe("hosted flows", () => {
  test("approveHostedFlow: the xpander connection becomes active", async () => {
    const { drive, connection, link } = await xpanderLink();
    assert.equal(await xpanderStatus(drive.id, connection.id), "pending");
    const result = await admin.approveHostedFlow(link);
    assert.equal(result.status, 200);
    assert.match(result.html, /Authorization complete/);
    assert.equal(await xpanderStatus(drive.id, connection.id), "active");
    assert.deepEqual(await admin.scenarios(), []);
  });

  test("denyHostedFlow: Vercel's flow goes back to the return URL with error=access_denied", async () => {
    const made = await vendorCall("vercel", "POST", "/v1/connect/connectors", {
      type: "slack", uid: "slack/client-test", name: "client-test",
      data: { appId: "A0TEST", appName: "Test Bot", clientId: "1.2", clientSecret: "test-secret" },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const flow = await vendorCall("vercel", "POST", `/v1/connect/authorize/${made.body.id}`,
      { subject: { type: "user", id: "u1" }, returnUrl: "http://app.example/back" });
    assert.equal(flow.status, 200, JSON.stringify(flow.body));
    const result = await admin.denyHostedFlow(flow.body.url);
    assert.ok(result.status >= 300 && result.status < 400, `status ${result.status}`);
    const back = new URL(result.location);
    assert.equal(back.origin + back.pathname, "http://app.example/back");
    assert.equal(back.searchParams.get("error"), "access_denied");
  });

  test("a link that cannot be decided any more throws, and leaves nothing armed", async () => {
    const { link } = await xpanderLink();
    await admin.denyHostedFlow(link);
    const error = await admin.approveHostedFlow(link).catch((e) => e);
    assert.ok(error instanceof ConnmockAdminError, String(error));
    assert.equal(error.status, 409);
    assert.match(error.message, /took no decision/);
    assert.deepEqual(await admin.scenarios(), []);
    await assert.rejects(admin.approveHostedFlow("http://elsewhere.example/x"), TypeError);
    // a page that does not answer: the fetch error, and the scenario disarmed all the same
    await assert.rejects(admin.denyHostedFlow("http://127.0.0.1:1/__connmock/pages/xpander/connect/a/b"), TypeError);
    assert.deepEqual(await admin.scenarios(), []);
  });
});

// --- webhooks --------------------------------------------------------------------------------------------------

describe("webhooks", () => {
  let receiver;
  let receiverUrl;
  const received = [];

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks = [];
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, raw: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(200).end();
      });
    });
    await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks`;
  });

  after(async () => {
    await admin.deleteWebhookTarget("acme", "nango").catch(() => undefined);
    await new Promise((resolve) => receiver.close(resolve));
  });

  async function nextWebhook(count) {
    const deadline = Date.now() + 10000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(received.length >= count, "no webhook arrived");
    return received[count - 1];
  }

  function verified({ headers, raw }, key) {  // as @nangohq/node's verifyIncomingWebhookRequest
    const expected = createHmac("sha256", key).update(raw).digest("hex");
    return headers["x-nango-hmac-sha256"] === expected;
  }

  test("set, read and list a target; deliveries are signed, received and journalled; then deleted", async () => {
    const key = "client-test-signing-key";
    const set = await admin.setWebhookTarget("acme", "nango", { url: receiverUrl, signing_key: key });
    assert.equal(set.url, receiverUrl);
    const read = await admin.webhookTarget("acme", "nango");
    assert.equal(read.url, receiverUrl);
    assert.ok(!JSON.stringify(read).includes(key), "the signing key is never shown");
    const all = await admin.webhookTargets();
    assert.ok(all.webhooks.some((t) => t.tenant === "acme" && t.url === receiverUrl), JSON.stringify(all));
    assert.deepEqual(all.vendors_with_webhooks, ["nango"]);

    assert.equal((await createNango("hooked")).status, 201);
    const creation = await nextWebhook(1);
    assert.ok(verified(creation, key), "the HMAC verifies with the signing key");
    assert.ok(!verified(creation, "another key"));
    const body = JSON.parse(creation.raw);
    assert.deepEqual([body.type, body.operation, body.connectionId, body.success], ["auth", "creation", "hooked", true]);
    const delivery = await admin.waitForWebhookDelivery((d) => d.event === "auth.creation" && d.outcome === "delivered");
    assert.equal(delivery.tenant, "acme");
    assert.equal(delivery.status, 200);
    assert.equal(delivery.body.connectionId, "hooked");

    assert.deepEqual(await admin.sendNangoRefreshFailure("acme", { providerConfigKey: "github", connectionId: "hooked" }),
      { queued: true });
    const refresh = JSON.parse((await nextWebhook(2)).raw);
    assert.deepEqual([refresh.operation, refresh.success, refresh.error.type],
      ["refresh", false, "refresh_token_external_error"]);
    const unknown = await admin.sendNangoRefreshFailure("acme", { providerConfigKey: "github", connectionId: "nope" })
      .catch((e) => e);
    assert.equal(unknown.status, 404);

    assert.deepEqual(await admin.deleteWebhookTarget("acme", "nango"), { deleted: true });
    assert.equal((await admin.webhookTarget("acme", "nango").catch((e) => e)).status, 404);
    assert.deepEqual(await admin.sendNangoRefreshFailure("acme", { providerConfigKey: "github", connectionId: "hooked" }),
      { queued: false });  // no target any more: nothing is sent
  });

  test("a bad target is refused naming its fields; a vendor without webhooks is refused", async () => {
    const bad = await admin.setWebhookTarget("acme", "nango", { url: "not a url" }).catch((e) => e);
    assert.ok(bad instanceof ConnmockAdminError);
    assert.equal(bad.status, 400);
    assert.ok("url" in bad.fields, JSON.stringify(bad.body));
    assert.equal((await admin.setWebhookTarget("acme", "vercel", { url: receiverUrl }).catch((e) => e)).status, 400);
  });
});
