// Runs the GraphQL-over-HTTP audit of graphql-http (its `auditServer`) against a started server.
//
//   node audit.mjs http://127.0.0.1:8080/graphql [TOKEN]
//
// The token (also DIRECTIVES_AUDIT_TOKEN) goes in every request's Authorization header, as a
// ministry system would send it. Prints every audit and the counts; exits 1 when any audit is not
// passed: a failed MUST (error), SHOULD (warning) or MAY (notice) alike, as this service means to
// follow them all.

import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? process.env.DIRECTIVES_AUDIT_URL;
const token = process.argv[3] ?? process.env.DIRECTIVES_AUDIT_TOKEN;
if (!url) {
  console.error('usage: node audit.mjs <url of /graphql> [token]');
  process.exit(2);
}

function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithToken });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const mark = { ok: 'pass', notice: 'MAY FAILED', warn: 'SHOULD FAILED', error: 'MUST FAILED' };
for (const result of results) {
  counts[result.status] += 1;
  console.log(`${mark[result.status].padEnd(13)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      body = '(body already read)';
    }
    console.log(`              ${result.reason}`);
    console.log(`              got ${result.response.status} ${result.response.headers.get('content-type')}: ${body.slice(0, 300)}`);
  }
}
console.log(
  `\n${results.length} audits: ${counts.ok} passed, ${counts.warn} warnings (SHOULD), ` +
    `${counts.error} errors (MUST), ${counts.notice} notices (MAY)`,
);
process.exit(counts.ok === results.length ? 0 : 1);
