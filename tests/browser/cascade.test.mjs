// The cascade page in a real browser: Mermaid, from the binary, draws every document of the
// cascade of 57-KL/TW, with the coverage and progress numbers the API gives beside it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { BASE, foreign, gql, open, screenshot } from "./harness.mjs";

const AS_OF = "2026-11-22";

test("the cascade page draws 57-KL/TW's cascade with its numbers, from the server alone", async () => {
  const data = await gql(
    `query($d: Date) { documents(filter: { symbol: "57-KL/TW" }) { nodes { id symbol
       descendants { nodes { document { symbol } } }
       progress(asOf: $d, includeDescendants: true) { total overdue }
       implementationCoverage(expected: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL }, asOf: $d) {
         expectedCount coveredCount missing { code } }
       progressByAgency(asOf: $d, role: PRESIDING, includeDescendants: true) { agency { code } } } } }`,
    { d: AS_OF },
  );
  const root = data.documents.nodes[0];
  const symbols = [root.symbol, ...root.descendants.nodes.map((n) => n.document.symbol)];
  assert.ok(symbols.length > 1, "the sample's 57-KL/TW has a cascade");

  const browser = await open();
  const { page, requests, violations } = browser;
  try {
    await page.goto(`${BASE}/cascade/${encodeURIComponent(root.id)}?asOf=${AS_OF}`, { waitUntil: "networkidle" });
    await page.locator("#diagram svg").waitFor({ timeout: 60_000 });
    assert.equal(await page.locator("#status").innerText(), "", "no error on the page");

    const drawn = await page.locator("#diagram svg").evaluate((svg) => svg.textContent);
    for (const symbol of symbols) assert.ok(drawn.includes(symbol), `${symbol} is drawn: ${drawn}`);
    // One box per document, one arrow per link.
    assert.equal(await page.locator("#diagram svg g.node").count(), symbols.length);
    assert.ok((await page.locator("#diagram svg .edgePaths path, #diagram svg path.flowchart-link").count()) >= symbols.length - 1);

    const c = root.implementationCoverage;
    assert.match(await page.locator("#coverage-ratio").innerText(), new RegExp(`^${c.coveredCount} / ${c.expectedCount} `));
    const missing = await page.locator("#coverage-missing").innerText();
    for (const a of c.missing) assert.ok(missing.includes(a.code), `${a.code} is listed as missing`);
    assert.match(await page.locator("#progress-total").innerText(), new RegExp(`^${root.progress.total} · ${root.progress.overdue} `));
    const agencies = await page.locator("#agency-table").innerText();
    assert.ok(agencies.includes(root.progressByAgency[0].agency.code), agencies);
    assert.equal(await page.locator("#asOf").inputValue(), AS_OF);

    await screenshot(page, "cascade.png");
    assert.deepEqual(foreign(requests), [], "every request went to the server");
    assert.ok(requests.some((u) => u.endsWith("/cascade/assets/mermaid.tiny.js")), "Mermaid came from the server");
    assert.deepEqual(violations, []);
  } finally {
    await browser.close();
  }
});
