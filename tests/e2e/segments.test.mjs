// Segments in the browser (the second bundle): a new segment built from nested rules whose live
// count follows every change and agrees with the API, saved, its members as the contact list
// with a chip naming the segment, its history; in English and Persian, wide and narrow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
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


async function preview(rules) {
  const r = await api(server.base, 'POST', '/api/v1/segments/preview', { rules });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.count;
}

const latin = (s) => s.replace(/[۰-۹]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'.indexOf(d)).replace(/[,٬]/g, '');

async function shownCount(page) {
  return Number(latin(await page.textContent('#segment-count')).match(/\d+/)?.[0] ?? NaN);
}

test('a segment built from nested rules: the live count agrees with the API, saved, its members listed', async () => {
  const customers = { field: 'lifecycle_stage', op: 'is', value: 'customer' };
  const nested = { all: [customers, { any: [{ field: 'orders', op: 'gte', value: 3 }] }] };
  const [all, some] = [await preview({ all: [customers] }), await preview(nested)];
  assert.ok(all > some && some > 0, `the demo has customers, fewer with three purchases: ${all} > ${some}`);

  const page = await open('/segments');
  await page.waitForSelector('#new-segment');
  await page.click('#new-segment');
  await page.waitForSelector('#segment-rules .rule-condition');
  await page.fill('#segment-name', 'Customers who bought three times');
  await page.selectOption('#segment-rules .rule-condition .rule-value', 'customer');
  await page.waitForFunction((n) => document.querySelector('#segment-count')?.textContent.replace(/,/g, '').includes(String(n)), all);

  // A nested group: any of (purchases at least 3).
  await page.click('#segment-rules > fieldset > .row .add-group');
  const inner = page.locator('#segment-rules fieldset fieldset .rule-condition').first();
  await inner.locator('.rule-field').selectOption('orders');
  await inner.locator('.rule-op').selectOption('gte');
  await inner.locator('.rule-value').fill('3');
  await page.waitForFunction((n) => document.querySelector('#segment-count')?.textContent.replace(/,/g, '').startsWith(String(n)), some);
  assert.equal(await shownCount(page), some);
  await page.screenshot({ path: join(artifacts, 'segment-builder-en-1440.png'), fullPage: true });

  await page.click('#save-segment');
  await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
  await page.waitForSelector('#segment-history tr');
  const id = page.url().split('/').pop();
  const saved = await api(server.base, 'GET', `/api/v1/segments/${id}`);
  assert.deepEqual(saved.body.rules, { all: [customers, { any: [{ field: 'orders', op: 'gte', value: 3 }] }] });
  assert.equal(saved.body.members, some);
  assert.equal(await page.locator('#segment-history tbody tr').count(), Math.min(some, 50), 'everyone entered at the first evaluation');
  assert.equal(await page.locator('#segment-history tbody tr:visible').count(), Math.min(some, 10), 'the latest ten first');
  if (some > 10) {
    await page.click('#more-history');
    assert.equal(await page.locator('#segment-history tbody tr:visible').count(), Math.min(some, 50));
  }

  await page.click('#segment-members');
  await page.waitForURL(/\/contacts\?segment=/);
  await page.waitForFunction(() => document.querySelector('.chips .chip')?.textContent.includes('Customers who bought three times'));
  await page.waitForFunction((n) => document.querySelector('.count')?.textContent.replace(/,/g, '').includes(String(n)), some);
  await page.screenshot({ path: join(artifacts, 'segment-members-en-1440.png') });

  // The records linked to the members: their orders, as the order list with the same chip.
  const orders = await api(server.base, 'GET', `/api/v1/orders?segment=${id}&include_total=true&limit=1`);
  assert.ok(orders.body.total >= some, `each member bought: ${orders.body.total} orders of ${some}`);
  await page.goto(`${server.base}/segments/${id}`);
  await page.click('.segment-linked a[href^="/orders"]');
  await page.waitForURL(/\/orders\?segment=/);
  await page.waitForFunction(() => document.querySelector('.chips .chip')?.textContent.includes('Customers who bought three times'));
  await page.waitForFunction((n) => document.querySelector('.count')?.textContent.replace(/,/g, '').includes(String(n)), orders.body.total);

  // A rule the server refuses says why, by its place in the rules.
  await page.goto(`${server.base}/segments/${id}`);
  await page.waitForSelector('#segment-rules fieldset fieldset .rule-value');
  await page.locator('#segment-rules fieldset fieldset .rule-value').fill('many');
  await page.waitForFunction(() => /rules\.all\[1\]\.any\[0\]\.value/.test(document.querySelector('#segment-count')?.textContent ?? ''));
  // "Is one of" on a fixed set of values is ticked, not typed.
  const either = await preview({ field: 'lifecycle_stage', op: 'in', value: ['customer', 'prospect'] });
  await page.goto(`${server.base}/segments/new`);
  await page.waitForSelector('#segment-rules .rule-condition .rule-op');
  await page.selectOption('#segment-rules .rule-condition .rule-op', 'in');
  await page.check('#segment-rules .rule-choices input[value="customer"]');
  await page.check('#segment-rules .rule-choices input[value="prospect"]');
  await page.waitForFunction((n) => document.querySelector('#segment-count')?.textContent.replace(/,/g, '').startsWith(String(n)), either);
  await page.close();

  // The list, in Persian on a phone: right to left, Persian digits, no sideways scroll.
  const fa = await open(`/segments/${id}`, 390);
  await setLanguage(fa, 'fa');
  await fa.waitForFunction(() => /[۰-۹]/.test(document.querySelector('#segment-count')?.textContent ?? ''));
  assert.equal(await fa.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await shownCount(fa), some);
  await fa.screenshot({ path: join(artifacts, 'segment-builder-fa-390.png'), fullPage: true });
  const wide = await fa.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `the builder scrolls sideways by ${wide}px`);
  await fa.goto(`${server.base}/segments`);
  await fa.waitForSelector('#segments tbody tr');
  assert.match(await fa.textContent('#segments'), /Customers who bought three times/);
  await fa.screenshot({ path: join(artifacts, 'segments-fa-390.png') });
  await setLanguage(fa, 'en');
  await fa.close();
});
