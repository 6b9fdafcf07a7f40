// Custom fields in the browser: an admin defines a field in Settings (its own bundle, loaded
// when opened), people fill it in on record pages and create forms, lists show, filter and sort
// on it, in English and Persian, and a type change is checked before it is made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startServer, startBrowser, api, artifacts, signIn, ADMIN, watchErrors, setLanguage } from './harness.mjs';

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

/** A page that records script errors, at a width. */
async function open(path, width = 1440) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  watchErrors(page);
  page.on('dialog', (d) => d.accept());
  await page.goto(`${server.base}${path}`);
  return page;
}


async function noSidewaysScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`);
}

test('settings: an admin adds a choice field with Persian labels; a bad key is named beside it', async () => {
  const page = await open('/settings/fields');
  await page.waitForSelector('#field-list tr[data-key="account_tier"]');
  // The demo fields are listed in order, with their types.
  assert.match(await page.textContent('#field-list'), /Account tier[\s\S]*One choice/);

  await page.click('#add-field');
  await page.fill('#field-label-en', 'Loyalty level');
  assert.equal(await page.inputValue('#field-key'), 'loyalty_level', 'the key follows the English label');
  await page.fill('#field-label-fa', 'سطح وفاداری');
  await page.selectOption('#field-type', 'choice');
  await page.locator('#field-options .option-en').nth(0).fill('Bronze');
  await page.locator('#field-options .option-fa').nth(0).fill('برنزی');
  await page.click('#add-option');
  await page.locator('#field-options .option-en').nth(1).fill('Platinum');
  await page.locator('#field-options .option-fa').nth(1).fill('پلاتینی');
  // A new option takes the next colour, and its key is offered from its label.
  assert.notEqual(await page.locator('#field-options .option-colour').nth(1).inputValue(), await page.locator('#field-options .option-colour').nth(0).inputValue());
  assert.equal(await page.locator('#field-options .option-key').nth(1).getAttribute('placeholder'), 'platinum');
  await page.screenshot({ path: join(artifacts, 'fields-form-en-1440.png') });
  await page.click('#field-save');
  await page.waitForSelector('#field-list tr[data-key="loyalty_level"]');
  const fields = await api(server.base, 'GET', '/api/v1/fields?entity=contact');
  const made = fields.body.find((f) => f.key === 'loyalty_level');
  assert.deepEqual(made.options.map((o) => [o.key, o.label_fa]), [['bronze', 'برنزی'], ['platinum', 'پلاتینی']]);
  assert.equal(made.type, 'choice');

  // A built-in field's name cannot be a key: the problem shows beside the key.
  await page.click('#add-field');
  await page.fill('#field-label-en', 'Title');
  await page.click('#field-save');
  await page.waitForSelector('#err-key');
  assert.match(await page.textContent('#err-key'), /already has this key/);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#field-form', { state: 'detached' });

  // Moved up: the field now comes before the one above it.
  const before = await page.$$eval('#field-list tbody tr', (rows) => rows.map((r) => r.dataset.key));
  const i = before.indexOf('loyalty_level');
  await page.click('#field-list tr[data-key="loyalty_level"] button[aria-label="Move up"]');
  await page.waitForFunction((k) => {
    const keys = [...document.querySelectorAll('#field-list tbody tr')].map((r) => r.dataset.key);
    return keys.indexOf(k) === keys.length - 2;
  }, 'loyalty_level');
  const after = await page.$$eval('#field-list tbody tr', (rows) => rows.map((r) => r.dataset.key));
  assert.equal(after[i - 1], 'loyalty_level');

  // Persian: labels and types in Persian, right to left; then the phone width.
  await setLanguage(page, 'fa');
  await page.waitForFunction(() => document.querySelector('#field-list')?.textContent.includes('سطح وفاداری'));
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.match(await page.textContent('#field-list'), /یک گزینه/);
  await page.screenshot({ path: join(artifacts, 'fields-list-fa-1440.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page, 'the fields settings at 390 px');
  await page.screenshot({ path: join(artifacts, 'fields-list-fa-390.png'), fullPage: true });
  await setLanguage(page, 'en');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a custom field is edited in place on a contact page and shown in Persian', async () => {
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Nasrin', last_name: 'Custom-E2E' });
  assert.equal(contact.status, 201);
  const page = await open(`/contacts/${contact.body.id}`);
  await page.waitForSelector('#custom-facts');
  await page.click('#field-custom-account_tier');
  await page.selectOption('#edit-custom-account_tier', 'gold');
  await page.waitForSelector('#field-custom-account_tier .option-chip');
  assert.equal((await page.textContent('#field-custom-account_tier')).trim(), 'Gold');

  // A date typed in place.
  await page.click('#field-custom-next_renewal');
  await page.fill('#edit-custom-next_renewal', '2027-03-21');
  await page.waitForFunction(() => document.querySelector('#field-custom-next_renewal')?.textContent.includes('2027'));
  const saved = await api(server.base, 'GET', `/api/v1/contacts/${contact.body.id}`);
  assert.deepEqual(saved.body.custom, { account_tier: 'gold', next_renewal: '2027-03-21' });

  // The audit trail names the change.
  await page.waitForFunction(() => document.querySelector('.audit')?.textContent.includes('2027-03-21'));
  await page.screenshot({ path: join(artifacts, 'contact-custom-en-1440.png'), fullPage: true });

  await setLanguage(page, 'fa');
  await page.waitForFunction(() => document.querySelector('#custom-facts')?.textContent.includes('سطح حساب'));
  assert.equal((await page.textContent('#field-custom-account_tier')).trim(), 'طلایی');
  assert.match(await page.textContent('#field-custom-next_renewal'), /۱۴۰۶/, 'the renewal date in the Solar Hijri calendar');
  // In Persian a date is typed in the Solar Hijri calendar, and Enter saves it.
  await page.click('#field-custom-next_renewal');
  assert.equal(await page.inputValue('#edit-custom-next_renewal'), '۱۴۰۶/۰۱/۰۱');
  await page.fill('#edit-custom-next_renewal', '۱۴۰۶/۰۱/۱۵');
  await page.press('#edit-custom-next_renewal', 'Enter');
  await page.waitForFunction(() => document.querySelector('#field-custom-next_renewal')?.textContent.includes('۱۵ فروردین'));
  const jalali = await api(server.base, 'GET', `/api/v1/contacts/${contact.body.id}`);
  assert.equal(jalali.body.custom.next_renewal, '2027-04-04');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page, 'the contact page at 390 px');
  await page.screenshot({ path: join(artifacts, 'contact-custom-fa-390.png'), fullPage: true });
  await setLanguage(page, 'en');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a company form checks a custom field; the server names a bad value beside it', async () => {
  const page = await open('/companies/new');
  await page.waitForSelector('#new-custom-tax_id');
  await page.fill('#new-name', 'Custom Field Trading E2E');
  await page.fill('#new-custom-tax_id', '12-34');
  await page.fill('#new-custom-credit_limit', '500000000');
  await page.click('#record-save');
  await page.waitForSelector('#err-custom-tax_id');
  assert.equal(new URL(page.url()).pathname, '/companies/new', 'nothing was saved');
  await page.screenshot({ path: join(artifacts, 'company-form-custom-error.png') });
  // Persian digits are read as the digits the pattern asks for.
  await page.fill('#new-custom-tax_id', '۱۰۱۰۱۰۱۰۱۰۱');
  await page.click('#record-save');
  await page.waitForURL(/\/companies\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).pathname.split('/').pop();
  const saved = await api(server.base, 'GET', `/api/v1/companies/${id}`);
  assert.equal(saved.body.custom.tax_id, '10101010101');
  assert.deepEqual(saved.body.custom.credit_limit, { amount: '500000000', currency: 'IRR' });
  await page.waitForSelector('#custom-facts');
  assert.match(await page.textContent('#field-custom-credit_limit'), /50,000,000|500,000,000/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('lists: a custom column, a filter on its options and a sort by its header, kept in a saved view', async () => {
  const page = await open('/contacts');
  await page.waitForSelector('table.list tbody tr');
  await page.click('#choose-columns');
  await page.check('#column-chooser input[data-column="custom.account_tier"]');
  await page.waitForSelector('th button[data-sort="custom.account_tier"]');

  await page.selectOption('#add-filter', 'custom.account_tier=gold');
  await page.waitForFunction(() => [...document.querySelectorAll('.chip')].some((c) => c.textContent.includes('Account tier: Gold')));
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('td.col-custom-account_tier')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'Gold');
  });
  const total = await api(server.base, 'GET', '/api/v1/contacts?custom.account_tier=gold&include_total=true&limit=1');
  assert.match(await page.textContent('.count'), new RegExp(total.body.total.toLocaleString('en-US')));

  // The whole filtered list downloads, not just the page on screen: every gold contact, with the
  // custom columns.
  await page.click('#export-list');
  let [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  assert.equal(download.suggestedFilename(), 'contacts.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  let rows = 0;
  let quoted = false;
  for (const c of csv) {
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) rows += 1;
  }
  assert.equal(rows, total.body.total + 1, 'a header and every matching contact');
  assert.ok(csv.split('\r\n')[0].includes('custom.account_tier'), csv.slice(0, 300));
  await page.click('#export-list');
  [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
  assert.equal(download.suggestedFilename(), 'contacts.xlsx');
  assert.equal(readFileSync(await download.path()).subarray(0, 2).toString(), 'PK', 'a workbook (a ZIP archive)');

  // Sorted by the next renewal, newest last then first.
  await page.check('#column-chooser input[data-column="custom.next_renewal"]');
  await page.click('th button[data-sort="custom.next_renewal"]');
  await page.waitForFunction(() => document.querySelector('th button[data-sort="custom.next_renewal"]').textContent.includes('▲'));
  await page.click('th button[data-sort="custom.next_renewal"]');
  await page.waitForFunction(() => document.querySelector('th button[data-sort="custom.next_renewal"]').textContent.includes('▼'));
  const sorted = await api(server.base, 'GET', '/api/v1/contacts?custom.account_tier=gold&sort=-custom.next_renewal&limit=50');
  const first = sorted.body.items[0];
  await page.waitForFunction((name) => document.querySelector('table.list tbody tr a.record-link')?.textContent === name, first.display_name);

  await page.click('#save-view');
  await page.fill('#view-name', 'Gold renewals');
  await page.click('.inline-form button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('#views option')].some((o) => o.dataset.name === 'Gold renewals'));
  const views = await api(server.base, 'GET', '/api/v1/views?list=contacts');
  const view = views.body.find((v) => v.name === 'Gold renewals');
  assert.deepEqual(view.filters, [{ param: 'custom.account_tier', value: 'gold' }]);
  assert.equal(view.sort, '-custom.next_renewal');
  assert.ok(view.columns.includes('custom.next_renewal'));
  await page.screenshot({ path: join(artifacts, 'list-custom-en-1440.png') });

  await setLanguage(page, 'fa');
  await page.waitForFunction(() => [...document.querySelectorAll('.chip')].some((c) => c.textContent.includes('سطح حساب: طلایی')));
  await page.waitForFunction(() => [...document.querySelectorAll('td.col-custom-account_tier')].every((c) => c.textContent === 'طلایی'));
  await page.screenshot({ path: join(artifacts, 'list-custom-fa-1440.png') });
  await setLanguage(page, 'en');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a type change is checked first: the value that cannot convert is listed, then cleared on request', async () => {
  const made = await api(server.base, 'POST', '/api/v1/fields', { entity: 'deal', key: 'seats', type: 'text', label_en: 'Seats' });
  assert.equal(made.status, 201);
  const deals = await api(server.base, 'GET', '/api/v1/deals?limit=2');
  const [a, b] = deals.body.items;
  for (const [deal, seats] of [[a, '120'], [b, 'a few']]) {
    const res = await fetch(`${server.base}/api/v1/deals/${deal.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*', authorization: `Bearer ${await token()}` },
      body: JSON.stringify({ custom: { seats } }),
    });
    assert.equal(res.status, 200, await res.text());
  }
  const page = await open('/settings/fields');
  await page.click('#custom-fields button[data-kind="deal"]');
  await page.click('#field-list tr[data-key="seats"] .change-type');
  await page.selectOption('#new-type', 'number');
  await page.click('#check-values');
  await page.waitForSelector('#type-report');
  assert.match(await page.textContent('#type-report'), /Cannot be converted: 1/);
  assert.match(await page.textContent('#type-report'), /a few/);
  assert.ok(await page.isDisabled('#apply-type'), 'nothing is lost without saying so');
  await page.screenshot({ path: join(artifacts, 'fields-type-check.png') });
  await page.check('#clear-unconvertible');
  await page.click('#apply-type');
  await page.waitForSelector('#type-change', { state: 'detached' });
  await page.waitForFunction(() => document.querySelector('#field-list tr[data-key="seats"]')?.textContent.includes('Number'));
  const after = await api(server.base, 'GET', `/api/v1/deals/${a.id}`);
  assert.equal(after.body.custom.seats, '120');
  const cleared = await api(server.base, 'GET', `/api/v1/deals/${b.id}`);
  assert.equal(cleared.body.custom.seats, undefined);
  assert.deepEqual(page.errors, []);
  await page.close();
});

async function token() {
  const res = await fetch(`${server.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  return (await res.json()).access_token;
}

test('the board asks for the custom field a stage requires, in the move dialog', async () => {
  const pipeline = await api(server.base, 'POST', '/api/v1/pipelines', {
    name: 'Tenders E2E',
    stages: [
      { name: 'Bid', probability: 20 },
      { name: 'Shortlist', probability: 60, required_custom_fields: ['competitor'] },
      { name: 'Won', probability: 100, kind: 'won' },
      { name: 'Lost', probability: 0, kind: 'lost' },
    ],
  });
  assert.equal(pipeline.status, 201, JSON.stringify(pipeline.body));
  const [bid, shortlist] = pipeline.body.stages;
  assert.deepEqual(shortlist.required_custom_fields, ['competitor']);
  const deal = await api(server.base, 'POST', '/api/v1/deals', { name: 'Tender-E2E deal', pipeline_id: pipeline.body.id, stage_id: bid.id, currency: 'USD' });
  assert.equal(deal.status, 201, JSON.stringify(deal.body));

  const page = await open('/deals');
  await page.selectOption('#pipeline', pipeline.body.id);
  const card = page.locator('.card[data-deal="Tender-E2E deal"]');
  await card.waitFor();
  await card.dragTo(page.locator(`.column[data-stage-id="${shortlist.id}"]`));
  await page.waitForSelector('#stage-dialog #stage-custom-competitor');
  assert.match(await page.textContent('#stage-dialog'), /Competitor \*/);
  await page.fill('#stage-custom-competitor', 'Pars Systems');
  await page.screenshot({ path: join(artifacts, 'board-custom-required.png') });
  await page.click('#confirm-move');
  await page.waitForSelector('#stage-dialog', { state: 'detached' });
  await page.locator(`.column[data-stage-id="${shortlist.id}"] .card[data-deal="Tender-E2E deal"]`).waitFor();
  const after = await api(server.base, 'GET', `/api/v1/deals/${deal.body.id}`);
  assert.equal(after.body.stage_id, shortlist.id);
  assert.equal(after.body.custom.competitor, 'Pars Systems');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('bulk edit: a custom field is set on the chosen records at once', async () => {
  const made = [];
  for (const last of ['Bulk-One-E2E', 'Bulk-Two-E2E']) {
    const c = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Bahar', last_name: last });
    assert.equal(c.status, 201);
    made.push(c.body.id);
  }
  const page = await open('/contacts');
  await page.fill('#search', 'Bulk-');
  await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 2);
  await page.check('#select-all');
  await page.selectOption('#bulk-field', 'preferred_channel');
  await page.selectOption('#bulk-value', 'whatsapp');
  await page.click('#bulk-set');
  await page.waitForFunction(() => !document.querySelector('#bulk-bar'));
  for (const id of made) {
    const c = await api(server.base, 'GET', `/api/v1/contacts/${id}`);
    assert.equal(c.body.custom.preferred_channel, 'whatsapp', JSON.stringify(c.body.custom));
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a field added in Settings shows on a record page opened before, without a reload', async () => {
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Roya', last_name: 'Cache-E2E' });
  const page = await open(`/contacts/${contact.body.id}`);
  await page.waitForSelector('#custom-facts [data-field="account_tier"]');
  await page.click('#nav-settings');
  await page.waitForURL('**/settings');
  await page.click('a[href="/settings/fields"]');
  await page.waitForSelector('#field-list');
  await page.click('#add-field');
  await page.fill('#field-label-en', 'Referral code');
  await page.click('#field-save');
  await page.waitForSelector('#field-list tr[data-key="referral_code"]');
  await page.goBack();
  await page.goBack();
  await page.waitForURL(`**/contacts/${contact.body.id}`);
  await page.waitForSelector('#custom-facts [data-field="referral_code"]');
  // Leaving Settings took its screen down: Escape on the record page does nothing there.
  assert.equal(await page.$('#custom-fields'), null);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('tasks, orders and activities take their own custom fields: a task form, the composer and the order form ask for them', async () => {
  const effort = await api(server.base, 'POST', '/api/v1/fields', { entity: 'task', key: 'effort', type: 'choice', label_en: 'Effort', label_fa: 'حجم کار',
    options: [{ key: 'small', label_en: 'Small', label_fa: 'کم' }, { key: 'large', label_en: 'Large', label_fa: 'زیاد' }] });
  assert.equal(effort.status, 201, JSON.stringify(effort.body));
  const reason = await api(server.base, 'POST', '/api/v1/fields', { entity: 'activity', key: 'call_reason', type: 'text', label_en: 'Reason', required: true });
  assert.equal(reason.status, 201, JSON.stringify(reason.body));
  const gift = await api(server.base, 'POST', '/api/v1/fields', { entity: 'order', key: 'gift_wrap', type: 'yes_no', label_en: 'Gift wrap' });
  assert.equal(gift.status, 201, JSON.stringify(gift.body));

  // A task made in the form carries its value to its page and its list.
  const page = await open('/tasks/new');
  await page.waitForSelector('#new-custom-effort');
  await page.fill('#new-title', 'Custom effort E2E');
  await page.selectOption('#new-custom-effort', 'large');
  await page.click('#record-save');
  await page.waitForSelector('#custom-facts [data-field="effort"]');
  assert.match(await page.textContent('#custom-facts [data-field="effort"]'), /Large/);
  const tasks = await api(server.base, 'GET', '/api/v1/tasks?custom.effort=large');
  assert.deepEqual(tasks.body.items.map((t) => t.title), ['Custom effort E2E']);

  // The composer asks for a required activity field beside it, then logs the note with it.
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Nima', last_name: 'Composer-E2E' });
  await page.goto(`${server.base}/contacts/${contact.body.id}`);
  await page.click('#compose-note');
  await page.fill('#composer-text', 'Asked about delivery times');
  await page.click('#composer-send');
  await page.waitForSelector('#err-custom-call_reason');
  await page.locator('#composer').screenshot({ path: join(artifacts, 'composer-custom-1440.png') });
  await page.fill('#new-custom-call_reason', 'Delivery');
  await page.click('#composer-send');
  await page.waitForFunction(() => document.querySelector('#timeline-items li')?.textContent.includes('Asked about delivery times'));
  const logged = await api(server.base, 'GET', `/api/v1/activities?contact_id=${contact.body.id}`);
  assert.deepEqual(logged.body.items[0].custom, { call_reason: 'Delivery' });

  // The quick "Log call" asks for it too, instead of failing without a word.
  await page.click('#log-call');
  await page.click('#quick-save');
  await page.waitForSelector('#quick-form #err-custom-call_reason');
  await page.fill('#quick-form #new-custom-call_reason', 'Callback');
  await page.click('#quick-save');
  await page.waitForSelector('#quick-form', { state: 'detached' });
  const calls = await api(server.base, 'GET', `/api/v1/activities?contact_id=${contact.body.id}&kind=call`);
  assert.deepEqual(calls.body.items.map((a) => a.custom), [{ call_reason: 'Callback' }]);

  // The order form shows the order's fields.
  await page.goto(`${server.base}/orders/new`);
  await page.waitForSelector('#new-custom-gift_wrap');
  await page.screenshot({ path: join(artifacts, 'order-form-custom-1440.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
  // Leave the workspace as other tests expect it.
  await api(server.base, 'DELETE', `/api/v1/fields/${reason.body.id}`);
});

test('a sales rep reads the catalogue without editing it, custom fields too; an admin edits it', async () => {
  const rep = await api(server.base, 'POST', '/api/v1/users', { email: 'rep-catalogue@e2e.example', name: 'Rana Rep', role: 'sales_rep', password: 'rep-password-123' });
  assert.equal(rep.status, 201, JSON.stringify(rep.body));
  const field = await api(server.base, 'POST', '/api/v1/fields', { entity: 'product', key: 'warranty_e2e', type: 'text', label_en: 'Warranty' });
  assert.equal(field.status, 201, JSON.stringify(field.body));
  const made = await api(server.base, 'POST', '/api/v1/products', { sku: 'RO-E2E-1', name: 'Read-only router', unit_price: { amount: '10', currency: 'USD' }, custom: { warranty_e2e: 'Two years' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));

  // The rep, in a browser of their own, opens the catalogue from the menu.
  const second = await startBrowser();
  try {
    const page = await second.context.newPage();
    watchErrors(page);
    await page.goto(`${server.base}/login`);
    await page.fill('#email', 'rep-catalogue@e2e.example');
    await page.fill('#password', 'rep-password-123');
    await page.click('button[type=submit]');
    await page.waitForURL('**/contacts');
    // Contacts are theirs to make.
    await page.waitForSelector('#new-record');
    await page.click('nav.side a[href="/products"]');
    await page.waitForSelector('#records tbody tr');
    assert.equal(await page.locator('#new-record').count(), 0, 'no new product for a rep');
    await page.fill('#search', 'RO-E2E-1');
    await page.click('#records tbody tr a.record-link');
    await page.waitForSelector('#field-custom-warranty_e2e');
    assert.equal(await page.evaluate(() => document.querySelector('#field-name').tagName), 'SPAN', 'the name is not editable');
    assert.equal(await page.evaluate(() => document.querySelector('#field-custom-warranty_e2e').tagName), 'SPAN', 'nor the custom field');
    assert.match(await page.textContent('#field-custom-warranty_e2e'), /Two years/);
    await page.screenshot({ path: join(artifacts, 'product-read-only.png'), fullPage: true });
    assert.deepEqual(page.errors, []);
  } finally {
    await second.stop();
  }

  // The admin edits the same product in place.
  const page = await open(`/products/${made.body.id}`);
  await page.waitForSelector('button#field-custom-warranty_e2e');
  await page.waitForSelector('button#field-name');
  assert.deepEqual(page.errors, []);
  await page.close();
});
