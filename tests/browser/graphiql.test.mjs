// GraphiQL in a real browser: type a query about 57-KL/TW, run it and read the answer on the page;
// run a subscription and see an event arrive; the page talks to the server and to no other host.

import assert from "node:assert/strict";
import { test } from "node:test";
import { BASE, foreign, gql, open, screenshot } from "./harness.mjs";

/** Replaces the query editor's text as a person would: select all, then type. */
async function typeQuery(page, text) {
  const editor = page.locator(".graphiql-query-editor .CodeMirror");
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // insertText types the characters without key events, so the editor's bracket closing
  // does not add a second `}` to every `{` typed.
  await page.keyboard.insertText(text);
}

async function run(page) {
  await page.locator(".graphiql-execute-button").click();
}

/**
 * Runs the editor's operation until `done()` holds. GraphiQL learns the operation's name from the
 * editor after a pause, and a click before that sends the new text under the old name, which the
 * server rightly refuses ("Unknown operation named"); as a person would, click again then.
 */
async function runTyped(page, done) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.waitForTimeout(300);
    await run(page);
    for (let i = 0; i < 100; i++) {
      if (await done()) return;
      const shown = await response(page).catch(() => "");
      if (shown.includes("Unknown operation named")) break;
      await page.waitForTimeout(100);
    }
  }
}

/** Waits until the response pane shows `text`; on a timeout, fails with what the pane and the editor show. */
async function waitForResponse(page, text) {
  try {
    await page.waitForFunction(
      (t) => document.querySelector(".graphiql-response .CodeMirror-code")?.innerText.includes(t),
      text,
      { timeout: 60_000 },
    );
  } catch (e) {
    const shown = await page.locator(".graphiql-response").innerText().catch(() => "(no response pane)");
    const typed = await page.locator(".graphiql-query-editor").innerText().catch(() => "(no editor)");
    await screenshot(page, "graphiql-failure.png").catch(() => {});
    assert.fail(`the response never showed ${text}: ${e.message}\nresponse pane:\n${shown}\neditor:\n${typed}`);
  }
}

/** The text of the response pane, as shown. */
async function response(page) {
  return page.locator(".graphiql-response .CodeMirror-code").innerText();
}

test("GraphiQL runs a query and a subscription, talking only to the server", async () => {
  const expected = await gql(
    `{ documents(filter: { symbol: "57-KL/TW" }) { nodes { symbol title(lang: "en") issuer { code } implementedBy { totalCount } } } }`,
  );
  const conclusion = expected.documents.nodes[0];
  assert.ok(conclusion, "the sample has 57-KL/TW");

  const browser = await open();
  const { page, requests, violations } = browser;
  try {
    await page.goto(`${BASE}/graphql`, { waitUntil: "networkidle" });
    await page.locator(".graphiql-query-editor .CodeMirror").waitFor();

    await typeQuery(
      page,
      `query Conclusion57 {
  documents(filter: { symbol: "57-KL/TW" }) {
    nodes {
      symbol
      title(lang: "en")
      issuer { code }
      implementedBy { totalCount }
    }
  }
}`,
    );
    await runTyped(page, async () => (await response(page).catch(() => "")).includes("totalCount"));
    await waitForResponse(page, "totalCount");
    const answer = await response(page);
    assert.match(answer, /"symbol": "57-KL\/TW"/);
    assert.ok(answer.includes(`"title": "${conclusion.title}"`), answer);
    assert.match(answer, new RegExp(`"code": "${conclusion.issuer.code}"`));
    assert.match(answer, new RegExp(`"totalCount": ${conclusion.implementedBy.totalCount}\\b`));
    await screenshot(page, "graphiql.png");

    // A subscription from the feed's current position: only a change made from now on can arrive.
    const { changesCursor } = await gql("{ changesCursor }");
    const frames = [];
    page.on("websocket", (ws) => {
      ws.on("framereceived", (f) => frames.push(String(f.payload)));
      ws.on("framesent", (f) => frames.push(String(f.payload)));
    });
    await typeQuery(
      page,
      `subscription Live {
  changes(after: "${changesCursor}") {
    sequence
    operation
    entityType
    node { ... on Agency { code name } }
  }
}`,
    );
    const subscribed = () => frames.some((f) => f.includes('"type":"subscribe"'));
    await runTyped(page, async () => subscribed());
    assert.ok(subscribed(), `the page subscribed over its WebSocket: ${frames.join("\n")}`);

    const code = `BROWSER-${Date.now().toString(36).toUpperCase()}`;
    await gql(
      `mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }`,
      { i: { code, name: "Cơ quan thử nghiệm trình duyệt", kind: "OTHER", level: "CENTRAL" } },
    );
    await waitForResponse(page, code);
    const event = await response(page);
    assert.match(event, /"operation": "UPSERT"/);
    assert.match(event, /"entityType": "AGENCY"/);
    assert.ok(frames.some((f) => f.includes('"type":"next"') && f.includes(code)), "the event came over the WebSocket");
    await screenshot(page, "graphiql-subscription.png");

    assert.deepEqual(foreign(requests), [], "every request went to the server");
    assert.ok(requests.some((u) => u.startsWith("ws")), "the subscription used the server's WebSocket");
    assert.deepEqual(violations, []);
  } finally {
    await browser.close();
  }
});
