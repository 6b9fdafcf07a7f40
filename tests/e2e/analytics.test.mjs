// Customer analytics in the browser (its own bundle, loaded when first opened): the RFM heat map
// and groups with their numbers and a CSV, the lifetime-value fit checked against its holdout,
// and a contact's figures month by month, in English and Persian, wide and narrow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startServer, startBrowser, api, artifacts, signIn, openPage, setLanguage } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  const page = await browser.context.newPage();
  await signIn(page, server.base);
  await page.close();
});

after(async () => {
  await browser?.stop();
  await server?.stop();
});

const open = (path, width) => openPage(browser, server.base, path, width);


async function noSidewaysScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`);
}

test('the analytics page: the RFM heat map matches its table and the API, a CSV, the fit and its holdout', async () => {
  const report = await api(server.base, 'GET', '/api/v1/analytics/rfm');
  assert.equal(report.status, 200, JSON.stringify(report.body));
  const customers = report.body.groups.reduce((n, g) => n + g.customers, 0);
  assert.ok(customers > 100, `the demo has customers with figures: ${customers}`);

  const page = await open('/analytics');
  await page.waitForSelector('#rfm-grid');
  assert.equal(await page.locator('#rfm-grid tbody td').count(), 25, 'a 5 × 5 grid');
  const shown = await page.$$eval('#rfm-grid tbody td strong', (cells) => cells.reduce((n, c) => n + Number(c.textContent.replace(/,/g, '')), 0));
  assert.equal(shown, customers, 'the heat map counts every customer once');
  // The champions' cell (recency 5, frequency 5) is the top right one, in the champions group.
  assert.equal(await page.getAttribute('#rfm-grid tbody tr:first-child td:last-child', 'data-group'), 'champions');
  const champions = report.body.groups.find((g) => g.group === 'champions');
  assert.match(await page.textContent('#rfm-groups tr[data-group="champions"]'), new RegExp(`Champions\\s*${champions.customers.toLocaleString('en')}`));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rfm-csv')]);
  assert.equal(download.suggestedFilename(), 'rfm-groups.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  assert.equal(csv.trim().split('\r\n').length, 11, 'a header and ten groups');
  assert.match(csv, /Champions,\d+,/);

  // Cohorts: one row per first-purchase month; month 0 is everyone who bought then, and a cost
  // to win a customer gives the break-even month where the margin covers it.
  const cohorts = await api(server.base, 'GET', '/api/v1/analytics/cohorts?acquisition_cost=1');
  await page.waitForSelector('#cohort-triangle tbody tr');
  assert.equal(await page.locator('#cohort-triangle tbody tr').count(), cohorts.body.cohorts.length);
  assert.equal(await page.textContent('#cohort-triangle tbody tr:first-child td:nth-child(4)'), '100%', 'month 0: everyone bought');
  await page.fill('#acquisition-cost', '1');
  await page.press('#acquisition-cost', 'Enter');
  await page.dispatchEvent('#acquisition-cost', 'change');
  const evens = cohorts.body.cohorts.filter((c) => c.break_even_month !== null).length;
  await page.waitForFunction((n) => [...document.querySelectorAll('#cohort-triangle td.break-even')].filter((td) => td.textContent !== '—').length === n, evens);
  const [cohortCsv] = await Promise.all([page.waitForEvent('download'), page.click('#cohorts-csv')]);
  assert.equal(cohortCsv.suggestedFilename(), 'cohorts.csv');

  // The demo's lifetime-value fit, checked against the 26 weeks after its window.
  await page.waitForSelector('#clv-holdout tbody tr');
  assert.ok(Number((await page.textContent('#clv-customers')).replace(/,/g, '')) > 100);
  await page.screenshot({ path: join(artifacts, 'analytics-en-1440.png'), fullPage: true });

  // Recomputing says so and draws the page again; fitting keeps 26 weeks to check against.
  await page.click('#recompute');
  await page.locator('.toast', { hasText: 'Metrics recomputed' }).waitFor();
  await page.waitForSelector('#rfm-grid');
  await page.click('#fit-clv');
  await page.locator('.toast', { hasText: 'Lifetime value fitted' }).waitFor();
  await page.waitForSelector('#clv-holdout tbody tr');
  assert.deepEqual(page.errors, []);

  // In Persian, right to left with Persian digits and tomans; narrow, nothing scrolls sideways.
  await setLanguage(page, 'fa');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  await page.waitForFunction(() => /[۰-۹]/.test(document.querySelector('#rfm-grid tbody td strong')?.textContent ?? ''));
  assert.match(await page.textContent('#rfm-groups'), /قهرمانان/);
  assert.match(await page.textContent('#rfm-grid'), /تومان/);
  await noSidewaysScroll(page, 'the analytics page at 390 px');
  await page.screenshot({ path: join(artifacts, 'analytics-fa-390.png'), fullPage: true });
  await setLanguage(page, 'en');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a contact's analytics: figures, RFM group, lifetime value and profitability month by month", async () => {
  const orders = await api(server.base, 'GET', '/api/v1/orders?status=fulfilled&limit=1');
  const contactId = orders.body.items[0].contact_id;
  const metrics = await api(server.base, 'GET', `/api/v1/contacts/${contactId}/metrics`);
  assert.equal(metrics.status, 200, JSON.stringify(metrics.body));

  const page = await open(`/contacts/${contactId}`);
  await page.click('#contact-analytics');
  await page.waitForURL(`**/contacts/${contactId}/analytics`);
  await page.waitForSelector('#months tbody tr');
  assert.equal(await page.textContent('#metric-orders'), String(metrics.body.totals.orders));
  assert.equal(await page.locator('#months tbody tr').count(), metrics.body.months.length);
  if (metrics.body.rfm) {
    assert.match(await page.textContent('#metric-rfm'), new RegExp(`R${metrics.body.rfm.recency} F${metrics.body.rfm.frequency}`));
  }
  // Service taken, priced at the demo's prices, and the net contribution left, month by month too.
  assert.ok(metrics.body.service && metrics.body.service.service_cost, JSON.stringify(metrics.body.service));
  assert.match(await page.textContent('#metric-service'), new RegExp(`^${metrics.body.service.cases} cases`));
  assert.doesNotMatch(await page.textContent('#metric-service-cost'), /not priced/);
  assert.equal(await page.locator('#months thead th').count(), 6);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#months-csv')]);
  assert.equal(download.suggestedFilename(), 'profitability.csv');
  await page.screenshot({ path: join(artifacts, 'contact-analytics-en-1440.png'), fullPage: true });

  // Persian: Solar Hijri months.
  await setLanguage(page, 'fa');
  await page.waitForFunction(() => /(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) [۰-۹]{4}/.test(document.querySelector('#months tbody')?.textContent ?? ''));
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page, "a contact's analytics at 390 px");
  await page.screenshot({ path: join(artifacts, 'contact-analytics-fa-390.png'), fullPage: true });
  await setLanguage(page, 'en');

  // An admin changes the prices of service on the analytics page.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${server.base}/analytics`);
  await page.waitForFunction(() => document.querySelector('#per-case')?.value === '2,500,000');
  await page.fill('#per-case', '3,000,000');
  await page.click('#save-service-costs');
  let kept;
  for (let i = 0; i < 50 && kept !== '3000000'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    kept = (await api(server.base, 'GET', '/api/v1/analytics/service-costs')).body.per_case?.amount;
  }
  assert.equal(kept, '3000000');
  const back = await api(server.base, 'PUT', '/api/v1/analytics/service-costs', { per_case: '2500000', per_activity_hour: '4000000' });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('propensity to buy: the most and least likely buyers with why, by owner, a CSV, training; a contact\'s chance and its factors', async () => {
  const model = await api(server.base, 'GET', '/api/v1/analytics/propensity');
  assert.equal(model.status, 200, JSON.stringify(model.body));
  assert.equal(model.body.validated, true, `the demo's model validates: ${JSON.stringify(model.body.holdout)}`);
  const most = await api(server.base, 'GET', '/api/v1/analytics/propensity/contacts?limit=20');

  const page = await open('/analytics');
  await page.waitForSelector('#propensity-list tbody tr');
  assert.equal(await page.locator('#propensity-list tbody tr').count(), most.body.items.length);
  const top = most.body.items[0];
  const first = page.locator('#propensity-list tbody tr').first();
  assert.equal(await first.getAttribute('data-contact'), top.contact_id, 'the most likely first');
  assert.equal(await first.locator('.reasons li').count(), top.reasons.length);
  assert.equal((await first.locator('.reasons li').first().textContent()).replace(/^[▲▼]\s*/, ''), top.reasons[0].text, 'reasons in words');
  assert.equal(await page.textContent('#propensity-auc'), model.body.holdout.auc.toFixed(2));

  // The least likely, then one owner's most likely: every row is theirs.
  await page.click('#least-likely');
  const least = await api(server.base, 'GET', '/api/v1/analytics/propensity/contacts?order=least&limit=20');
  await page.waitForFunction((id) => document.querySelector('#propensity-list tbody tr')?.dataset.contact === id, least.body.items[0].contact_id);
  await page.click('#most-likely');
  const owner = top.owner_id;
  await page.selectOption('#propensity-owner', owner);
  const theirs = await api(server.base, 'GET', `/api/v1/analytics/propensity/contacts?limit=20&owner_id=${owner}`);
  assert.ok(theirs.body.items.every((i) => i.owner_id === owner));
  await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('#propensity-list tbody tr')].map((r) => r.dataset.contact)) === JSON.stringify(ids), theirs.body.items.map((i) => i.contact_id));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#propensity-csv')]);
  assert.equal(download.suggestedFilename(), 'most-likely-buyers.csv');
  assert.equal(readFileSync(await download.path(), 'utf8').trim().split('\r\n').length, theirs.body.items.length + 1);
  await page.click('#train-propensity');
  await page.locator('.toast', { hasText: 'Propensity model trained' }).waitFor();
  await page.locator('#propensity').screenshot({ path: join(artifacts, 'propensity-en-1440.png') });

  // A contact's chance now, every factor in words; in Persian too.
  await first.locator('a').click();
  await page.waitForURL(`**/contacts/${top.contact_id}/analytics`);
  await page.waitForSelector('#propensity-factors tbody tr');
  const mine = await api(server.base, 'GET', `/api/v1/contacts/${top.contact_id}/propensity`);
  assert.equal(await page.textContent('#propensity-chance'), `${Math.round(mine.body.score.probability * 100)}%`);
  const largest = [...mine.body.score.contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))[0];
  assert.equal(await page.getAttribute('#propensity-factors tbody tr:first-child', 'data-feature'), largest.feature);
  await setLanguage(page, 'fa');
  await page.waitForFunction(() => /[۰-۹]/.test(document.querySelector('#propensity-chance')?.textContent ?? ''));
  assert.match(await page.textContent('#contact-propensity h2'), /تمایل به خرید/);
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page, "a contact's propensity at 390 px");
  await page.screenshot({ path: join(artifacts, 'contact-propensity-fa-390.png'), fullPage: true });
  await setLanguage(page, 'en');
  assert.deepEqual(page.errors, []);
  await page.close();
});
