// Importing contacts in the browser (the second bundle): from the contact list to the upload, the
// columns a HubSpot export suggests, a dry run that writes nothing, the import with its counts,
// the rejected rows downloaded as a CSV, and undo; in English at 1440 px and Persian at 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
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

const CSV = '\ufeffRecord ID,First Name,Last Name,Email,Mobile Phone Number,Company Name,Lifecycle Stage,Shoe size\r\n'
  + '1,Parisa,Ahmadi,parisa.e2e@example.com,09125550001,Sepid Co,Customer,38\r\n'
  + '2,Kian,Moradi,kian.e2e@example.com,09125550002,Sepid Co,Opportunity,44\r\n'
  + '3,Broken,Row,broken-at-example.com,,,,\r\n';

async function contact(email) {
  const r = await api(server.base, 'GET', `/api/v1/contacts?q=${encodeURIComponent(email)}`);
  return r.body.items.find((c) => c.emails.some((e) => e.address === email));
}

async function status(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector('#import-progress')?.dataset.status;
    return s && !['queued', 'running', 'cancelling'].includes(s);
  });
  return page.getAttribute('#import-progress', 'data-status');
}

test('a file is uploaded, mapped, tried, imported, its rejected rows downloaded, and undone', async () => {
  const page = await open('/contacts');
  page.on('dialog', (d) => d.accept());
  await page.click('a[href="/imports"]');
  await page.waitForURL(/\/imports$/);
  await page.waitForSelector('.drop-zone');
  await page.screenshot({ path: join(artifacts, 'imports-en-1440.png') });
  await page.setInputFiles('#import-file', { name: 'hubspot-contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop();
  await page.waitForSelector('#import-mapping tbody tr');
  const targets = await page.$$eval('#import-mapping tbody select', (s) => s.map((x) => x.value));
  assert.deepEqual(targets, ['skip', 'first_name', 'last_name', 'email', 'phone.mobile', 'company', 'lifecycle_stage', 'note']);
  assert.match(await page.textContent('#import-mapping tbody'), /Parisa · Kian · Broken/);
  // Shoe sizes are not wanted.
  await page.selectOption('#import-mapping tbody tr:nth-child(8) select', 'skip');
  await page.screenshot({ path: join(artifacts, 'import-mapping-en-1440.png'), fullPage: true });

  await page.click('#import-dry-run');
  assert.equal(await status(page), 'done');
  assert.equal(await page.getAttribute('#import-progress', 'data-dry'), 'true');
  assert.match(await page.textContent('#import-progress'), /nothing was written/);
  assert.match(await page.textContent('#import-progress'), /Created\s*2/);
  await page.waitForSelector('#import-problems tbody tr');
  assert.match(await page.textContent('#import-problems'), /Email.*not an email address/);
  assert.equal(await contact('parisa.e2e@example.com'), undefined, 'a dry run writes nothing');
  const dry = await api(server.base, 'GET', `/api/v1/imports/${id}`);
  assert.equal(dry.body.config.columns[7], 'skip', 'the run took the chosen mapping');

  await page.click('#import-run');
  await page.waitForFunction(() => document.querySelector('#import-progress')?.dataset.dry === 'false');
  assert.equal(await status(page), 'done');
  assert.match(await page.textContent('#import-progress'), /3 of 3 rows/);
  const parisa = await contact('parisa.e2e@example.com');
  assert.equal(parisa.company_name, 'Sepid Co');
  assert.equal(parisa.phones[0].number, '+989125550001');
  assert.equal((await contact('kian.e2e@example.com')).lifecycle_stage, 'prospect');
  await page.screenshot({ path: join(artifacts, 'import-done-en-1440.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#import-download')]);
  assert.equal(download.suggestedFilename(), 'rejected-rows.csv');
  const rejected = (await readFile(await download.path(), 'utf8')).replace(/^\ufeff/, '').trim().split(/\r?\n/);
  assert.equal(rejected.length, 2);
  assert.match(rejected[0], /Shoe size,Import line,Import problem$/);
  assert.match(rejected[1], /^3,Broken,Row,broken-at-example\.com,.*,4,"?Email: not an email address/);

  await page.click('#import-undo');
  await page.waitForFunction(() => document.querySelector('#import-progress')?.dataset.status === 'undone');
  assert.equal(await contact('parisa.e2e@example.com'), undefined, 'undo moved the contacts it made to the trash');
  await page.close();

  // The same import in Persian on a phone: right to left, Persian digits, no sideways scroll.
  const fa = await open(`/imports/${id}`, 390);
  await setLanguage(fa, 'fa');
  await fa.waitForFunction(() => /[۰-۹]/.test(document.querySelector('#import-progress')?.textContent ?? ''));
  assert.equal(await fa.getAttribute('html', 'dir'), 'rtl');
  await fa.screenshot({ path: join(artifacts, 'import-fa-390.png'), fullPage: true });
  const wide = await fa.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `the import scrolls sideways by ${wide}px`);
  await fa.goto(`${server.base}/imports`);
  await fa.waitForSelector('#imports tbody tr');
  assert.match(await fa.textContent('#imports'), /hubspot-contacts\.csv/);
  await fa.screenshot({ path: join(artifacts, 'imports-fa-390.png'), fullPage: true });
  await setLanguage(fa, 'en');
  await fa.close();
});
