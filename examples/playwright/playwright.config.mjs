// Playwright against connmock, in Debian's Chromium (no downloaded browser). Starts two servers: the mock
// (`connmock serve`: $CONNMOCK_BIN, else `connmock` on PATH) and the app (examples/ served statically, another
// origin). Ports: $CONNMOCK_PORT (8790) and $APP_PORT (8791); $CONNMOCK_URL uses a mock already running instead.
import { defineConfig } from "@playwright/test";

const mockPort = Number(process.env.CONNMOCK_PORT ?? 8790);
const appPort = Number(process.env.APP_PORT ?? 8791);
const connmock = JSON.stringify(process.env.CONNMOCK_BIN ?? "connmock");
export const mockUrl = process.env.CONNMOCK_URL ?? `http://127.0.0.1:${mockPort}`;

const servers = [
  {
    command: `node serve-app.mjs ${appPort}`,
    url: `http://127.0.0.1:${appPort}/demo.html`,
    reuseExistingServer: !process.env.CI,
  },
];
if (!process.env.CONNMOCK_URL) {
  servers.push({
    command: `${connmock} serve --port ${mockPort}`,
    url: `${mockUrl}/__connmock/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
  });
}

export default defineConfig({
  testDir: "./tests",
  workers: 1, // one mock: the tests reset it and arm scenarios, so they take turns
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  outputDir: process.env.PLAYWRIGHT_OUTPUT_DIR ?? "test-results", // traces of failures, the tests' screenshots
  use: {
    baseURL: `http://127.0.0.1:${appPort}`,
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Without the background-networking flags Chromium keeps dialling out
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: servers,
});
