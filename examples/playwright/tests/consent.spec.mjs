// A frontend's connect screen (examples/demo.html) when the user denies consent on the vendor's page, staged
// with the admin client: no click on the vendor's page, the page decides itself when the popup opens it.
import { expect, test } from "../fixtures.mjs";

const KEYS = {
  xpander: (acme) => acme.vendors.xpander.users[0].api_key,
  vercel: (acme) => acme.vendors.vercel.token,
};

async function connect(page, connmock, acme, vendor) {
  await page.goto(`/demo.html?mock=${encodeURIComponent(connmock.baseUrl)}&vendor=${vendor}`);
  await expect(page.getByRole("status")).toContainText("Paste the vendor's API key");
  await page.getByLabel("API key").fill(KEYS[vendor](acme));
  const popup = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  return await popup;
}

test("xpander: consent denied shows the error state, and the connection is denied", async ({ page, connmock, acme }, testInfo) => {
  const armed = await connmock.armConsent("xpander", "deny");

  await connect(page, connmock, acme, "xpander");

  const status = page.getByRole("status");
  await expect(status).toContainText("Not connected:");
  await expect(status).toContainText('"status":"denied"');
  await expect(page.getByRole("table", { name: "Connections" }).locator("tbody tr").filter({ hasText: "denied" }))
    .toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath("consent-denied.png"), fullPage: true });
  expect(await connmock.scenarios()).toEqual([]); // the flow used the scenario
  const journal = await connmock.journal();
  expect(journal.map((entry) => entry.scenario)).toContain(`${armed.id} consent deny`);
});

test("vercel: consent denied comes back with error=access_denied and shows the error state", async ({ page, connmock, acme }) => {
  await connmock.armConsent("vercel", "deny");

  await connect(page, connmock, acme, "vercel");

  const status = page.getByRole("status");
  await expect(status).toContainText("Not connected:");
  await expect(status).toContainText('"error":"access_denied"');
});

test("xpander: consent approved shows the connection (the same page, the other outcome)", async ({ page, connmock, acme }) => {
  await connmock.armConsent("xpander", "approve");

  await connect(page, connmock, acme, "xpander");

  await expect(page.getByRole("status")).toContainText("Connected:");
  await expect(page.getByRole("table", { name: "Connections" }).locator("tbody tr").filter({ hasText: "active" }))
    .toHaveCount(1);
});
