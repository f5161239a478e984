// The shared harness of the browser tests: headless Chromium (Debian's, never a downloaded one)
// against a directives server that run.sh started, recording every request the page makes so a
// test can assert that it went to that server and nowhere else.

import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

/** The server under test, e.g. http://127.0.0.1:41234. */
export const BASE = (() => {
  const url = process.env.DIRECTIVES_URL;
  if (!url) throw new Error("DIRECTIVES_URL is not set: start the server with tests/browser/run.sh");
  return new URL(url).origin;
})();

/** Where screenshots go. */
export const SCREENSHOTS = resolve(process.env.DIRECTIVES_SCREENSHOTS ?? "screenshots");

/**
 * The ADMIN token of the server's development mode: DIRECTIVES_TOKEN, or the one the GraphiQL
 * page starts with.
 */
export async function token() {
  if (process.env.DIRECTIVES_TOKEN) return process.env.DIRECTIVES_TOKEN;
  const html = await (await fetch(`${BASE}/graphql`, { headers: { Accept: "text/html" } })).text();
  const found = html.match(/"Authorization":"Bearer ([^"]+)"/);
  if (!found) throw new Error("the server is not in development mode and DIRECTIVES_TOKEN is not set");
  return found[1];
}

/** A GraphQL request from the test itself (not the page), as the server's ADMIN. */
export async function gql(query, variables = {}) {
  const response = await fetch(`${BASE}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * Starts Chromium with a new, empty profile and opens a page. Every request and WebSocket the
 * page opens is in `requests`; console messages about the content security policy and uncaught
 * page errors are in `violations`.
 */
export async function open() {
  const profile = await mkdtemp(join(tmpdir(), "directives-chromium-"));
  const host = new URL(BASE).hostname;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Any other host resolves to nothing: a request to one fails, and is still recorded.
      `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${host}`,
    ],
  });
  // A busy machine (CI builds beside it) can take a while: wait up to a minute for anything.
  context.setDefaultTimeout(60_000);
  context.setDefaultNavigationTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const requests = [];
  const violations = [];
  context.on("request", (request) => requests.push(request.url()));
  page.on("websocket", (ws) => requests.push(ws.url()));
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
  return {
    context,
    page,
    requests,
    violations,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The requests that went anywhere but the server (data: and blob: URLs are no request to a host). */
export function foreign(requests) {
  const origin = new URL(BASE);
  return requests.filter((url) => {
    const u = new URL(url);
    if (u.protocol === "data:" || u.protocol === "blob:") return false;
    return u.host !== origin.host || !["http:", "https:", "ws:", "wss:"].includes(u.protocol);
  });
}

/** Saves a screenshot of the page under SCREENSHOTS and returns its path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}
