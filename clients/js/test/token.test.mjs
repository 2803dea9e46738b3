// A mock started with --admin-token: the client sends the token, and without it every call is refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ConnmockAdmin, ConnmockAdminError } from "../connmock-admin.mjs";
import { startConnmock } from "../support/serve.mjs";

const TOKEN = "client-test-admin-token";
let mock;

before(async () => {
  mock = await startConnmock(["--admin-token", TOKEN], { headers: { "x-connmock-admin-token": TOKEN } });
});

after(async () => {
  await mock?.stop();
});

test("with the token every call goes through", async () => {
  const admin = new ConnmockAdmin(mock.url, { token: TOKEN });
  assert.equal((await admin.health()).status, "ok");
  const armed = await admin.armError("nango", "createConnection", 500);
  assert.deepEqual((await admin.scenarios()).map((s) => s.id), [armed.id]);
  assert.deepEqual(await admin.reset(), { reset: true });
  assert.deepEqual(await admin.scenarios(), []);
});

test("without it, or with another, the mock answers 401", async () => {
  for (const admin of [new ConnmockAdmin(mock.url), new ConnmockAdmin(mock.url, { token: "wrong" })]) {
    const error = await admin.tenants().catch((e) => e);
    assert.ok(error instanceof ConnmockAdminError, String(error));
    assert.equal(error.status, 401);
    assert.match(error.body.error, /X-Connmock-Admin-Token/);
  }
});
