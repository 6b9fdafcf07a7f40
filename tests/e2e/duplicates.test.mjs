// Duplicates in the browser (the second bundle): from the imports page to the queue, a scan, a
// pair reviewed side by side with a value picked from the copy, the merge, its undo from the
// Merged tab, and a Persian pair dismissed on a phone; in English at 1440 px and Persian at 390 px.
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

async function created(path, body) {
  const r = await api(server.base, 'POST', path, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const contact = async (id) => (await api(server.base, 'GET', `/api/v1/contacts/${id}`)).body;

test('a scan fills the queue, a pair is merged with a picked value and undone, another dismissed', async () => {
  const company = await created('/api/v1/companies', { name: 'Dup Co' });
  const parvin = await created('/api/v1/contacts', { first_name: 'Parvin', last_name: 'Sadeghi', company_id: company.id,
    emails: [{ address: 'parvin.dup@example.com' }] });
  const copy = await created('/api/v1/contacts', { first_name: 'P.', last_name: 'Sadeghi', title: 'CFO',
    emails: [{ address: 'PARVIN.DUP@example.com' }, { address: 'p.sadeghi@work.example' }] });
  // Arabic yeh and kaf against the Persian keyboard's letters.
  await created('/api/v1/contacts', { first_name: 'مريم', last_name: 'كاظمي', company_id: company.id });
  await created('/api/v1/contacts', { first_name: 'مریم', last_name: 'کاظمی', company_id: company.id });

  const page = await open('/imports');
  page.on('dialog', (d) => d.accept());
  await page.click('#find-duplicates');
  await page.waitForURL(/\/imports\/duplicates$/);
  await page.click('#dup-scan');
  await page.waitForSelector('.toasts .toast');
  // The demo data has its own duplicates: find this pair by its email.
  await page.fill('#dup-search', 'PARVIN.dup@example.com');
  await page.press('#dup-search', 'Enter');
  const card = page.locator('article.dup-pair', { has: page.locator('.chip[data-kind="email"]', { hasText: 'parvin.dup@example.com' }) });
  await card.waitFor();
  assert.match(await page.textContent('.toasts'), /pairs look alike/);
  // The older record stays; the copy's title fills the survivor's empty one by default.
  assert.equal(await card.locator('input[data-field="title"][data-side="other"]').isChecked(), true);
  assert.equal(await card.locator('input[data-field="first_name"][data-side="survivor"]').isChecked(), true);
  // Both have the same last name: nothing to choose there.
  assert.equal(await card.locator('input[data-field="last_name"]').count(), 0);
  await card.locator('input[data-field="first_name"][data-side="other"]').check();
  await card.locator('input[data-field="first_name"][data-side="survivor"]').check();
  await page.screenshot({ path: join(artifacts, 'duplicates-en-1440.png'), fullPage: true });
  await card.locator('.dup-merge').click();
  await card.waitFor({ state: 'detached' });
  const merged = await contact(parvin.id);
  assert.equal(merged.title, 'CFO');
  assert.equal(merged.first_name, 'Parvin');
  assert.deepEqual(merged.emails.map((e) => e.address), ['parvin.dup@example.com', 'p.sadeghi@work.example']);
  assert.ok((await contact(copy.id)).deleted_at, 'the copy went to the trash');

  await page.click('.chip[data-status="merged"]');
  await page.waitForSelector('#duplicates, #dup-empty');
  const done = page.locator('article.dup-pair', { has: page.locator('.chip', { hasText: 'parvin.dup@example.com' }) });
  await done.locator('.dup-undo').click();
  await done.waitFor({ state: 'detached' });
  assert.equal((await contact(copy.id)).deleted_at, null, 'the undo brought the copy back');
  assert.equal((await contact(parvin.id)).title, null, 'and gave the survivor its own values');
  await page.close();

  // Persian on a phone: the pair whose names differ only by keyboard, dismissed.
  const fa = await open('/imports/duplicates', 390);
  await setLanguage(fa, 'fa');
  await fa.fill('#dup-search', 'مریم کاظمی');
  await fa.press('#dup-search', 'Enter');
  const maryam = fa.locator('article.dup-pair', { has: fa.locator('.chip[data-kind="name"]', { hasText: 'مريم' }) }).first();
  await maryam.waitFor();
  assert.equal(await fa.getAttribute('html', 'dir'), 'rtl');
  assert.match(await maryam.textContent(), /نام یکسان/);
  await fa.screenshot({ path: join(artifacts, 'duplicates-fa-390.png'), fullPage: true });
  const wide = await fa.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `the queue scrolls sideways by ${wide}px`);
  const pairId = await maryam.getAttribute('data-pair');
  await maryam.locator('.dup-dismiss').click();
  await fa.locator(`article[data-pair="${pairId}"]`).waitFor({ state: 'detached' });
  await fa.click('.chip[data-status="dismissed"]');
  await fa.fill('#dup-search', 'کاظمی');
  await fa.press('#dup-search', 'Enter');
  await fa.locator(`article[data-pair="${pairId}"] .dup-reopen`).waitFor();
  await setLanguage(fa, 'en');
  await fa.close();
});
