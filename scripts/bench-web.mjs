// Web-app budget of issue 4: a list of 50 rows is interactive within 1 s of navigation on
// localhost. Starts the release server with demo data and the built app, signs in in headless
// Chromium, then measures (a) a full page load of /contacts (HTML, JS, wasm, API call, render)
// and (b) an in-app navigation from My day to Contacts, until 50 rows are on screen and the
// search box answers a keystroke. Prints the median and the worst of each.
import { join } from 'node:path';
import { startServer, startBrowser, signIn } from '../tests/e2e/harness.mjs';

const runs = Number(process.env.BENCH_WEB_RUNS || 15);
process.env.CRM_BIN ||= join(process.env.CARGO_TARGET_DIR || 'target', 'release', 'crm');

const server = await startServer();
const browser = await startBrowser();
try {
const page = await browser.context.newPage();
await signIn(page, server.base);

// Fifty rows shown, and the page reacts to input (the search box filters the list).
async function interactive() {
  await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 50);
}

const load = [];
const nav = [];
for (let i = 0; i < runs; i++) {
  let t0 = Date.now();
  await page.goto(`${server.base}/contacts`);
  await interactive();
  load.push(Date.now() - t0);

  await page.click('a[href="/my-day"]');
  await page.waitForSelector('#open-tasks');
  t0 = Date.now();
  await page.click('a[href="/contacts"]');
  await interactive();
  nav.push(Date.now() - t0);
}
// Interactivity: typing narrows the list.
await page.fill('#search', 'zzzz-nobody');
await page.waitForSelector('.empty');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = (label, xs) => console.log(`web        ${label.padEnd(44)} median ${String(median(xs)).padStart(5)} ms   worst ${String(Math.max(...xs)).padStart(5)} ms   (budget 1000 ms)`);
report('contacts list, full page load (50 rows)', load);
report('contacts list, in-app navigation (50 rows)', nav);
} finally {
  await browser.stop();
  await server.stop();
}
