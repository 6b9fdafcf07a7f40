// Browser flows: sign in, find a contact by a differently written phone number and open it;
// switch to Persian and see the layout, digits and dates follow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, api, artifacts, ADMIN } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.stop();
  await server?.stop();
});

test('sign in, search a contact by phone in another format, open it', async () => {
  const created = await api(server.base, 'POST', '/api/v1/contacts', {
    first_name: 'Shirin', last_name: 'Farahani-E2E', title: 'Head of Purchasing',
    phones: [{ number: '+98 935 111 2233' }], emails: [{ address: 'shirin@e2e.example' }],
  });
  assert.equal(created.status, 201);

  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
  await page.goto(`${server.base}/`);
  await page.waitForURL('**/login');

  await page.fill('#email', ADMIN.email);
  await page.fill('#password', 'wrong password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /email or password is wrong/);

  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/contacts');
  await page.waitForSelector('table.list tbody tr');
  const count = await page.textContent('.count');
  assert.match(count, /\d{1,3}(,\d{3})+ contacts/, 'the demo data is listed, in thousands');
  await page.screenshot({ path: join(artifacts, 'contacts-list.png') });

  await page.keyboard.press('/');
  await page.keyboard.type('09351112233');
  await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 1);
  const link = page.locator('a.record-link', { hasText: 'Shirin Farahani-E2E' });
  await link.click();
  await page.waitForURL(`**/contacts/${created.body.id}`);
  await page.waitForSelector('#contact-name');
  assert.equal(await page.textContent('#contact-name'), 'Shirin Farahani-E2E');
  assert.match(await page.textContent('.facts'), /\+98 935 111 2233/);
  await page.waitForSelector('.audit li');
  assert.match(await page.textContent('.audit'), /created/);
  await page.screenshot({ path: join(artifacts, 'contact-page.png') });
  assert.deepEqual(errors, [], 'no script errors');
  await page.close();
});

test('switch to Persian: right to left, Persian digits, Solar Hijri dates', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.base}/contacts`);
  await page.waitForSelector('table.list tbody tr');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'fa');
  assert.match(await page.textContent('h1'), /مخاطبان/);
  assert.match(await page.textContent('.count'), /^[۰-۹٬]+ مخاطب$/, 'the count in Persian digits');
  await page.screenshot({ path: join(artifacts, 'contacts-persian.png') });
  await page.locator('a.record-link').first().click();
  await page.waitForSelector('#field-created_at');
  const created = await page.textContent('#field-created_at');
  assert.match(created, /^[۰-۹]{1,2} (فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) ۱۴[۰-۹]{2}، [۰-۹]{2}:[۰-۹]{2}$/, `a Solar Hijri date: ${created}`);
  await page.screenshot({ path: join(artifacts, 'contact-persian.png') });
  // The choice is remembered.
  await page.reload();
  await page.waitForSelector('#field-created_at');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  assert.deepEqual(errors, [], 'no script errors');
});
