// The admin client as a Playwright fixture: every test gets `connmock`, a client of a mock that was just reset
// (store, journal, scenarios), and `acme`, the first seeded tenant with its keys.
import { test as base, expect } from "@playwright/test";

import { ConnmockAdmin } from "../../clients/js/connmock-admin.mjs";
import { mockUrl } from "./playwright.config.mjs";

export const test = base.extend({
  connmock: async ({}, use) => {
    const admin = new ConnmockAdmin(mockUrl, { token: process.env.CONNMOCK_ADMIN_TOKEN });
    await admin.reset();
    await use(admin);
    await admin.clearScenarios(); // nothing armed leaks into the next test
  },
  acme: async ({ connmock }, use) => {
    await use(await connmock.tenant("acme"));
  },
});

export { expect };
