// Browser flows of the operational workspace: a form's field error, an inline edit that
// meets someone else's change, dragging a deal to Lost, converting a lead, the search palette.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, startBrowser, startSmtpSink, api, artifacts, signIn, ADMIN, watchErrors } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  // Sign in once; the session is kept in the browser profile.
  const page = await browser.context.newPage();
  await signIn(page, server.base);
  await page.close();
});

after(async () => {
  await browser?.stop();
  await server?.stop();
});

/** A fresh access token for the admin, as a second session would have. */
async function login() {
  const res = await fetch(`${server.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  return (await res.json()).access_token;
}

/** A page that records script errors. */
async function open(path) {
  const page = await browser.context.newPage();
  watchErrors(page);
  await page.goto(`${server.base}${path}`);
  return page;
}

test('create a contact: a bad email is named beside the field, a good one saves', async () => {
  const page = await open('/contacts');
  await page.click('#new-record');
  await page.waitForURL('**/contacts/new');
  await page.fill('#first_name', 'Dariush');
  await page.fill('#last_name', 'Form-E2E');
  await page.fill('#email', 'dariush@@example');
  await page.fill('#phone', '0912 555 0101');
  await page.click('#save');
  await page.waitForSelector('#err-emails');
  assert.match(await page.textContent('#err-emails'), /not a valid email address/);
  assert.equal(new URL(page.url()).pathname, '/contacts/new', 'nothing was sent');
  await page.screenshot({ path: join(artifacts, 'form-field-error.png') });

  await page.fill('#email', 'dariush@form-e2e.example');
  await page.click('#save');
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
  await page.waitForSelector('#contact-name');
  assert.equal(await page.textContent('#contact-name'), 'Dariush Form-E2E');
  assert.match(await page.textContent('.facts'), /\+98 912 555 0101/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('edit inline; a stale edit shows the other change and reapplies on top', async () => {
  const created = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Nasrin', last_name: 'Conflict-E2E', title: 'Buyer' });
  assert.equal(created.status, 201);
  const id = created.body.id;
  const page = await open(`/contacts/${id}`);
  await page.waitForSelector('#field-title');

  // A plain inline edit.
  await page.click('#field-title');
  await page.fill('#edit-title', 'Senior buyer');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#field-title')?.textContent === 'Senior buyer');
  let saved = await api(server.base, 'GET', `/api/v1/contacts/${id}`);
  assert.equal(saved.body.title, 'Senior buyer');
  assert.equal(saved.body.version, 2);

  // Someone else changes the last name and the title while this page still shows version 2.
  const other = await fetch(`${server.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { access_token } = await other.json();
  const res = await fetch(`${server.base}/api/v1/contacts/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}`, 'if-match': '"2"' },
    body: JSON.stringify({ last_name: 'Conflict-Other', title: 'Head of buying' }),
  });
  assert.equal(res.status, 200);

  await page.click('#field-title');
  await page.fill('#edit-title', 'Procurement lead');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.conflict');
  const conflict = await page.textContent('.conflict');
  assert.match(conflict, /Someone else changed this record/);
  assert.match(conflict, /Conflict-Other/, 'their change of the last name is shown');
  assert.match(conflict, /Head of buying/, 'their change of the title is shown');
  assert.match(conflict, /Procurement lead/, 'my change is shown');
  await page.screenshot({ path: join(artifacts, 'inline-edit-conflict.png') });

  await page.click('#reapply');
  await page.waitForSelector('.conflict', { state: 'detached' });
  await page.waitForFunction(() => document.querySelector('#field-title')?.textContent === 'Procurement lead');
  saved = await api(server.base, 'GET', `/api/v1/contacts/${id}`);
  assert.equal(saved.body.title, 'Procurement lead', 'mine applied');
  assert.equal(saved.body.last_name, 'Conflict-Other', 'theirs kept');
  assert.equal(saved.body.version, 4);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('drag a deal to Lost: asked for the reason, then it leaves the board', async () => {
  const pipelines = await api(server.base, 'GET', '/api/v1/pipelines');
  const sales = pipelines.body.find((p) => p.is_default);
  const first = sales.stages.find((s) => s.kind === 'open');
  const lost = sales.stages.find((s) => s.kind === 'lost');
  assert.ok(sales.loss_reasons.length > 0, 'the demo pipeline has loss reasons');
  const deal = await api(server.base, 'POST', '/api/v1/deals', {
    name: 'Board-E2E deal', pipeline_id: sales.id, stage_id: first.id, amount: '4200.00', currency: 'USD', close_date: '2026-12-20',
  });
  assert.equal(deal.status, 201, JSON.stringify(deal.body));

  const page = await open('/deals');
  await page.setViewportSize({ width: 2200, height: 900 });
  const card = page.locator('.card[data-deal="Board-E2E deal"]');
  await card.waitFor();
  assert.match(await page.locator(`.column[data-stage-id="${first.id}"] .column-total`).textContent(), /USD [\d,]+\.\d\d/);
  await page.screenshot({ path: join(artifacts, 'board.png') });

  await card.dragTo(page.locator(`.column[data-stage-id="${lost.id}"]`));
  await page.waitForSelector('#stage-dialog');
  assert.match(await page.textContent('#stage-dialog'), /Loss reason/);
  // Sending without a reason is refused by the server and named beside the field.
  await page.click('#confirm-move');
  await page.waitForSelector('#stage-dialog .field-error');
  await page.screenshot({ path: join(artifacts, 'board-loss-reason.png') });
  await page.selectOption('#loss_reason', sales.loss_reasons[0]);
  await page.click('#confirm-move');
  await page.waitForSelector('#stage-dialog', { state: 'detached' });
  await card.waitFor({ state: 'detached' });

  const after = await api(server.base, 'GET', `/api/v1/deals/${deal.body.id}`);
  assert.equal(after.body.status, 'lost');
  assert.equal(after.body.stage_id, lost.id);
  assert.equal(after.body.loss_reason, sales.loss_reasons[0]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('convert a lead into a contact, a company and a deal', async () => {
  const lead = await api(server.base, 'POST', '/api/v1/leads', {
    first_name: 'Kaveh', last_name: 'Lead-E2E', email: 'kaveh@lead-e2e-industries.example', company_name: 'Lead E2E Industries', status: 'qualified',
  });
  assert.equal(lead.status, 201, JSON.stringify(lead.body));
  const page = await open('/leads');
  await page.fill('#search', 'Lead-E2E');
  const link = page.locator('#records a.record-link', { hasText: 'Kaveh Lead-E2E' });
  await link.waitFor();
  await link.click();
  await page.waitForURL(`**/leads/${lead.body.id}`);
  await page.click('#convert');
  await page.waitForSelector('#convert-dialog');
  await page.fill('#deal-amount', '15000');
  await page.click('#confirm-convert');
  await page.waitForSelector('#conversion-result');
  const result = await page.textContent('#conversion-result');
  assert.match(result, /Contact created/);
  assert.match(result, /Company created/);
  assert.match(result, /Deal opened/);
  await page.screenshot({ path: join(artifacts, 'lead-converted.png') });

  const converted = await api(server.base, 'GET', `/api/v1/leads/${lead.body.id}`);
  assert.ok(converted.body.converted_at, 'the lead is converted');
  assert.ok(converted.body.deal_id, 'with a deal');
  // The page behind the dialog already shows what the lead became.
  assert.equal(await page.getAttribute('#lead-contact', 'href'), `/contacts/${converted.body.contact_id}`);
  assert.equal(await page.getAttribute('#lead-deal', 'href'), `/deals/${converted.body.deal_id}`);
  assert.equal(await page.locator('#convert').count(), 0, 'converted once');
  await page.click('#converted-contact');
  await page.waitForURL(`**/contacts/${converted.body.contact_id}`);
  await page.waitForSelector('#contact-name');
  assert.equal(await page.textContent('#contact-name'), 'Kaveh Lead-E2E');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Ctrl+K finds a contact by a differently written phone number', async () => {
  const created = await api(server.base, 'POST', '/api/v1/contacts', {
    first_name: 'Parisa', last_name: 'Palette-E2E', phones: [{ number: '+98 938 765 4321' }],
  });
  assert.equal(created.status, 201);
  const page = await open('/contacts');
  await page.waitForSelector('table.list tbody tr');
  await page.keyboard.press('Control+k');
  await page.waitForSelector('#palette-input');
  // The box takes the caret by itself: typing goes straight into it.
  await page.waitForFunction(() => document.activeElement?.id === 'palette-input');
  await page.keyboard.type('0098 938-765-4321');
  const hit = page.locator('.palette-hits li', { hasText: 'Parisa Palette-E2E' });
  await hit.waitFor();
  await page.screenshot({ path: join(artifacts, 'palette-phone.png') });
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/contacts/${created.body.id}`);
  await page.waitForSelector('#contact-name');
  assert.equal(await page.textContent('#contact-name'), 'Parisa Palette-E2E');

  // `?` lists the shortcuts.
  await page.keyboard.press('?');
  await page.waitForSelector('#shortcuts');
  assert.match(await page.textContent('#shortcuts'), /Search everything/);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#shortcuts', { state: 'detached' });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('list views: filter chips, columns, a saved view, bulk tag, assign and CSV export', async () => {
  const page = await open('/cases');
  await page.waitForSelector('#records tbody tr');
  await page.selectOption('#add-filter', 'priority=urgent');
  await page.waitForSelector('.chip');
  assert.match(await page.textContent('.chip'), /Priority: urgent/);
  await page.waitForFunction(() => [...document.querySelectorAll('#records td.col-priority')].every((td) => td.textContent === 'urgent'));

  // A column more, and the view saved under a name.
  await page.click('#choose-columns');
  await page.check('#column-chooser input[data-column="csat"]');
  await page.waitForSelector('#records td.col-csat');
  await page.click('#save-view');
  await page.fill('#view-name', 'Urgent cases');
  await page.check('#view-shared');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#delete-view');
  // Kept on the server for this person, shared with the workspace.
  const saved = await api(server.base, 'GET', '/api/v1/views?list=cases');
  const urgent = saved.body.find((v) => v.name === 'Urgent cases');
  assert.ok(urgent, JSON.stringify(saved.body));
  assert.deepEqual([urgent.shared, urgent.filters, urgent.columns.includes('csat')], [true, [{ param: 'priority', value: 'urgent' }], true]);
  await page.reload();
  await page.waitForSelector('#records tbody tr');
  assert.equal(await page.locator('.chip').count(), 0, 'a fresh page starts unfiltered');
  await page.selectOption('#views', 'Urgent cases');
  await page.waitForSelector('.chip');
  await page.waitForSelector('#records td.col-csat');
  // The filtered rows have replaced the unfiltered ones before any is selected.
  await page.waitForFunction(() => [...document.querySelectorAll('#records td.col-priority')].every((td) => td.textContent === 'urgent'));

  // Bulk: tag the first two urgent cases, then export them.
  const boxes = page.locator('#records .select-row');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.waitForSelector('#bulk-bar');
  assert.match(await page.textContent('#bulk-bar'), /2 selected/);
  const download = page.waitForEvent('download');
  await page.click('#bulk-export');
  const file = await download;
  const { readFile } = await import('node:fs/promises');
  const csv = await readFile(await file.path(), 'utf8');
  assert.equal(csv.trim().split('\n').length, 3, `a header and two rows:\n${csv}`);
  assert.match(csv.split('\n')[0], /^id,No\.,Subject/);
  await page.screenshot({ path: join(artifacts, 'list-view-bulk.png') });
  await page.fill('#bulk-tag', 'e2e-escalated');
  await page.click('#bulk-tag-apply');
  await page.waitForSelector('#bulk-bar', { state: 'detached' });
  const tagged = await api(server.base, 'GET', '/api/v1/cases?limit=200&priority=urgent');
  assert.equal(tagged.body.items.filter((c) => c.tags.includes('e2e-escalated')).length, 2, 'two cases were tagged');

  // Bulk: hand the same two cases to a colleague chosen in the bar.
  const me = (await api(server.base, 'GET', '/api/v1/me')).body;
  const colleague = (await api(server.base, 'GET', '/api/v1/users')).body.find((m) => m.id !== me.id && m.role === 'service_agent');
  assert.ok(colleague, 'the demo workspace has more than one person');
  await page.waitForFunction(() => document.querySelectorAll('#records .select-row').length >= 2);
  const picked = await page.$$eval('#records tbody tr a.record-link', (links) => links.slice(0, 2).map((a) => a.getAttribute('href').split('/').pop()));
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.waitForSelector('#bulk-assignee option:nth-child(2)', { state: 'attached' });
  await page.selectOption('#bulk-assignee', { label: colleague.name });
  await page.click('#bulk-assign');
  await page.waitForSelector('#bulk-bar', { state: 'detached' });
  for (const id of picked) {
    const now = await api(server.base, 'GET', `/api/v1/cases/${id}`);
    assert.equal(now.body.assignee_id, colleague.id, `case ${id} went to ${colleague.name}`);
  }

  // The view, still chosen, is deleted from the toolbar.
  await page.click('#delete-view');
  await page.waitForSelector('#delete-view', { state: 'detached' });
  await page.waitForFunction(() => ![...document.querySelectorAll('#views option')].some((o) => o.dataset.name === 'Urgent cases'));
  const left = await api(server.base, 'GET', '/api/v1/views?list=cases');
  assert.equal(left.body.filter((v) => v.name === 'Urgent cases').length, 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('my day: overdue and open tasks, completed with one click', async () => {
  const me = await api(server.base, 'GET', '/api/v1/me');
  const past = new Date(Date.now() - 86_400_000).toISOString();
  const task = await api(server.base, 'POST', '/api/v1/tasks', { title: 'Overdue-E2E follow-up', due_at: past, assignee_id: me.body.id });
  assert.equal(task.status, 201, JSON.stringify(task.body));
  const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
  const deal = await api(server.base, 'POST', '/api/v1/deals', { name: 'Closing-E2E deal', close_date: soon, amount: '1200.00', currency: 'USD' });
  assert.equal(deal.status, 201, JSON.stringify(deal.body));
  const page = await open('/my-day');
  await page.waitForSelector('#overdue-tasks');
  const item = page.locator('#overdue-tasks li', { hasText: 'Overdue-E2E follow-up' });
  await item.waitFor();
  await page.waitForSelector('#open-tasks');
  await page.waitForSelector('#today-meetings');
  await page.locator('#closing-deals li', { hasText: 'Closing-E2E deal' }).waitFor();
  assert.equal(await page.locator('#my-day-error, .my-day .error').count(), 0, 'every panel loaded');
  await page.screenshot({ path: join(artifacts, 'my-day.png') });
  // A click, not check(): the row leaves as soon as the task is done.
  await item.locator('input[type=checkbox]').click();
  await item.waitFor({ state: 'detached' });
  const done = await api(server.base, 'GET', `/api/v1/tasks/${task.body.id}`);
  assert.equal(done.body.status, 'done');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('handle a case: SLA clocks, status moves, CSAT once resolved', async () => {
  const created = await api(server.base, 'POST', '/api/v1/cases', { subject: 'Invoice missing SLA-E2E', priority: 'high', channel: 'email' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  const page = await open('/cases');
  await page.fill('#search', 'SLA-E2E');
  await page.locator('a.record-link').first().click();
  await page.waitForURL(`**/cases/${id}`);
  await page.waitForSelector('#sla-first-response');
  assert.match(await page.textContent('#sla-first-response'), /left$/, 'the first-response clock runs');
  assert.match(await page.textContent('#csat'), /once the case is resolved/);

  await page.click('#case-actions button[data-status="open"]');
  await page.waitForFunction(() => /met at/.test(document.querySelector('#sla-first-response')?.textContent ?? ''));
  assert.equal(await page.textContent('#case-status'), 'open');
  await page.click('#case-actions button[data-status="resolved"]');
  await page.waitForFunction(() => document.querySelector('#case-status')?.textContent === 'resolved');
  assert.match(await page.textContent('#sla-resolution'), /met at/);
  await page.fill('#csat-comment', 'Quick and polite');
  await page.click('#csat button[data-score="4"]');
  await page.waitForSelector('#csat button[data-score="4"].on');
  await page.screenshot({ path: join(artifacts, 'case-resolved.png') });
  const after = await api(server.base, 'GET', `/api/v1/cases/${id}`);
  assert.equal(after.body.status, 'resolved');
  assert.ok(after.body.first_response_at && after.body.resolved_at);
  assert.equal(after.body.csat, 4);
  assert.equal(after.body.csat_comment, 'Quick and polite');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('quick actions on a contact: log a call, add a task', async () => {
  const created = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Omid', last_name: 'Quick-E2E' });
  const id = created.body.id;
  const page = await open(`/contacts/${id}`);
  await page.click('#log-call');
  await page.selectOption('#quick-outcome', 'no_answer');
  await page.fill('#quick-minutes', '2');
  await page.click('#quick-save');
  await page.waitForSelector('#quick-form', { state: 'detached' });
  const calls = await api(server.base, 'GET', `/api/v1/activities?contact_id=${id}`);
  assert.equal(calls.body.items.length, 1);
  assert.equal(calls.body.items[0].kind, 'call');
  assert.equal(calls.body.items[0].outcome, 'no_answer');
  assert.equal(calls.body.items[0].duration_seconds, 120);

  await page.click('#add-task');
  await page.fill('#quick-due', '2026-12-01');
  await page.click('#quick-save');
  await page.waitForSelector('#quick-form', { state: 'detached' });
  const tasks = await api(server.base, 'GET', `/api/v1/tasks?related_id=${id}`);
  assert.equal(tasks.body.items.length, 1);
  assert.match(tasks.body.items[0].title, /Follow up with Omid Quick-E2E/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('phone width: no page scrolls sideways, the navigation stays reachable', async () => {
  const page = await open('/contacts');
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/contacts', '/deals', '/cases', '/my-day', '/leads']) {
    await page.goto(`${server.base}${path}`);
    await page.waitForSelector('main.content h1');
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${path} is ${overflow}px wider than the screen`);
  }
  await page.goto(`${server.base}/deals`);
  await page.waitForSelector('.card');
  await page.screenshot({ path: join(artifacts, 'phone-board.png') });
  assert.ok(await page.locator('nav.side a[href="/contacts"]').isVisible());
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the app is served compressed, with its client-side routes', async () => {
  const wasm = await fetch(`${server.base}/pkg/crm_frontend_bg.wasm`, { headers: { 'accept-encoding': 'br, gzip' } });
  assert.equal(wasm.status, 200);
  assert.match(wasm.headers.get('content-encoding') ?? '', /br|gzip/, 'the wasm travels compressed');
  assert.match(wasm.headers.get('content-type') ?? '', /application\/wasm/);
  const route = await fetch(`${server.base}/cases/some-id`);
  assert.equal(route.status, 200);
  assert.match(await route.text(), /<html/i, 'a client-side route answers with the app');
});

test('a company page lists its contacts, deals, cases and orders; phones, emails and tags are edited in place', async () => {
  const co = await api(server.base, 'POST', '/api/v1/companies', { name: 'Related-E2E Holdings' });
  const person = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Reza', last_name: 'Related-E2E', company_id: co.body.id });
  await api(server.base, 'POST', '/api/v1/deals', { name: 'Related-E2E renewal', company_id: co.body.id, amount: '900.00', currency: 'USD' });
  await api(server.base, 'POST', '/api/v1/cases', { subject: 'Related-E2E login trouble', company_id: co.body.id });
  const page = await open(`/contacts/${person.body.id}`);
  await page.click('#company-link');
  await page.waitForURL(`**/companies/${co.body.id}`);
  await page.waitForSelector('#company-name');
  await page.locator('#related-contacts li', { hasText: 'Reza Related-E2E' }).waitFor();
  await page.locator('#related-deals li', { hasText: 'Related-E2E renewal' }).waitFor();
  await page.locator('#related-cases li', { hasText: 'Related-E2E login trouble' }).waitFor();
  assert.match(await page.textContent('#related-orders'), /Nothing here yet/);

  // Phones and tags are edited in place: a bad number is named beside the field, nothing saved.
  await page.click('#field-phones');
  await page.fill('#edit-phones', '12 work');
  await page.click('#company-name');
  await page.waitForSelector('#err-phones');
  assert.equal((await api(server.base, 'GET', `/api/v1/companies/${co.body.id}`)).body.version, 1);
  await page.fill('#edit-phones', '021 8888 0000 work\n0912 555 0199');
  await page.click('#company-name');
  await page.waitForFunction(() => /\+98 21 8888 0000 \(work\), \+98 912 555 0199 \(mobile\)/.test(document.querySelector('#field-phones')?.textContent ?? ''));
  await page.click('#field-tags');
  await page.fill('#edit-tags', 'key account, renewal');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#field-tags')?.textContent === 'key account, renewal');
  const saved = (await api(server.base, 'GET', `/api/v1/companies/${co.body.id}`)).body;
  assert.deepEqual(saved.phones.map((p) => [p.number, p.label, p.primary]), [['+982188880000', 'work', true], ['+989125550199', 'mobile', false]]);
  assert.deepEqual(saved.tags, ['key account', 'renewal']);
  await page.locator('.audit li li', { hasText: 'tags: [] → ["key account","renewal"]' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'company-page.png') });

  // A contact's emails, with a label in Persian words too.
  await page.goto(`${server.base}/contacts/${person.body.id}`);
  await page.click('#field-emails');
  await page.fill('#edit-emails', 'reza@related-e2e.example\nreza.home@related-e2e.example شخصی');
  await page.click('#contact-name');
  await page.waitForFunction(() => /reza\.home@related-e2e\.example \(personal\)/.test(document.querySelector('#field-emails')?.textContent ?? ''));
  const contact = (await api(server.base, 'GET', `/api/v1/contacts/${person.body.id}`)).body;
  assert.deepEqual(contact.emails.map((e) => [e.address, e.label, e.primary]), [['reza@related-e2e.example', 'work', true], ['reza.home@related-e2e.example', 'personal', false]]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a deal page: facts, line items and the stages it went through', async () => {
  const deal = await api(server.base, 'POST', '/api/v1/deals', {
    name: 'DealPage-E2E', currency: 'USD', close_date: '2026-12-24',
    line_items: [{ name: 'Seats', quantity: '10', unit_price: '120.00', discount_percent: '10' }],
  });
  assert.equal(deal.status, 201, JSON.stringify(deal.body));
  const page = await open('/deals');
  const title = page.locator('.card[data-deal="DealPage-E2E"] a.card-title');
  await title.waitFor();
  await title.click();
  await page.waitForURL(`**/deals/${deal.body.id}`);
  await page.waitForSelector('#record-name');
  assert.equal(await page.textContent('#record-name'), 'DealPage-E2E');
  assert.equal(await page.textContent('#field-amount'), 'USD 1,080.00');
  assert.match(await page.textContent('#deal-lines'), /Seats/);
  await page.waitForSelector('#stage-history li');
  assert.match(await page.textContent('#stage-history'), /Qualification/);

  // Facts are edited in place; the change is in the audit trail.
  await page.click('#field-close_date');
  await page.fill('#edit-close_date', '2027-01-15');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#field-close_date')?.textContent === '15 Jan 2027');
  await page.click('#field-name');
  await page.fill('#edit-name', 'DealPage-E2E renamed');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#record-name')?.textContent === 'DealPage-E2E renamed');
  await page.waitForSelector('.history .audit li:has-text("close_date")');
  let saved = await api(server.base, 'GET', `/api/v1/deals/${deal.body.id}`);
  assert.deepEqual([saved.body.name, saved.body.close_date], ['DealPage-E2E renamed', '2027-01-15']);
  await page.screenshot({ path: join(artifacts, 'deal-page.png') });

  // Line items are edited in place: a bad quantity is named beside its line.
  await page.click('#edit-lines');
  await page.waitForSelector('#deal-line-editor .line');
  assert.equal(await page.inputValue('.line:nth-child(1) .line-item'), 'Seats');
  await page.fill('.line:nth-child(1) .line-quantity', '12');
  await page.click('#deal-line-editor .add-line');
  await page.fill('.line:nth-child(2) .line-item', 'Training E2E');
  await page.fill('.line:nth-child(2) .line-price', '300');
  await page.fill('.line:nth-child(2) .line-quantity', 'two');
  await page.click('#save-lines');
  await page.waitForSelector('#err-line_items-1--quantity');
  await page.fill('.line:nth-child(2) .line-quantity', '2');

  // Someone else renames the deal meanwhile: my lines are kept and saved on top of theirs.
  const other = await fetch(`${server.base}/api/v1/deals/${deal.body.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await login()}`, 'if-match': `"${saved.body.version}"` },
    body: JSON.stringify({ name: 'DealPage-E2E theirs' }),
  });
  assert.equal(other.status, 200);
  await page.click('#save-lines');
  await page.waitForSelector('.toast:has-text("Someone else changed this deal")');
  await page.waitForFunction(() => document.querySelector('#record-name')?.textContent === 'DealPage-E2E theirs');
  assert.equal(await page.inputValue('.line:nth-child(2) .line-item'), 'Training E2E', 'my lines are kept');
  await page.click('#save-lines');
  await page.waitForSelector('#deal-line-editor', { state: 'detached' });
  // 12 × 120 − 10% + 2 × 300 = 1,896.00
  await page.waitForFunction(() => document.querySelector('#field-amount')?.textContent === 'USD 1,896.00');
  saved = await api(server.base, 'GET', `/api/v1/deals/${deal.body.id}`);
  assert.equal(saved.body.name, 'DealPage-E2E theirs', 'their rename is kept');
  assert.deepEqual(saved.body.line_items.map((l) => [l.name, Number(l.quantity), Number(l.total)]), [['Seats', 12, 1296], ['Training E2E', 2, 600]]);
  assert.match(await page.textContent('#deal-lines'), /Training E2E/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('in Persian a date field takes a Solar Hijri date', async () => {
  const set = await api(server.base, 'PATCH', '/api/v1/me', { locale: 'fa' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  try {
    const created = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Laleh', last_name: 'Jalali-E2E' });
    const page = await open(`/contacts/${created.body.id}`);
    // The person's language comes from the server.
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.click('#add-task');
    await page.fill('#quick-due', '۱۴۰۵/۰۹/۱۰');
    await page.locator('#quick-form small', { hasText: '1 Dec 2026' }).waitFor();
    await page.screenshot({ path: join(artifacts, 'jalali-date-input.png') });
    await page.click('#quick-save');
    await page.waitForSelector('#quick-form', { state: 'detached' });
    const tasks = await api(server.base, 'GET', `/api/v1/tasks?related_id=${created.body.id}`);
    assert.equal(tasks.body.items.length, 1);
    const due = new Date(tasks.body.items[0].due_at);
    assert.equal(due.getFullYear() * 10000 + (due.getMonth() + 1) * 100 + due.getDate(), 20261201, `due ${tasks.body.items[0].due_at}`);
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    await api(server.base, 'PATCH', '/api/v1/me', { locale: 'en' });
  }
});

test('a contact timeline: older pages, a note logged from the composer, filter chips', async () => {
  const created = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Parisa', last_name: 'Timeline-E2E' });
  const id = created.body.id;
  for (let i = 0; i < 32; i++) {
    const at = new Date(Date.now() - (i + 1) * 86400000).toISOString();
    const r = await api(server.base, 'POST', '/api/v1/activities', { kind: 'call', direction: 'inbound', subject: `Call ${i}`, contact_ids: [id], occurred_at: at });
    assert.equal(r.status, 201);
  }
  const page = await open(`/contacts/${id}`);
  const rows = () => page.locator('#timeline-items li').count();
  await page.waitForSelector('#timeline-more');
  assert.equal(await rows(), 30, 'the first page');
  await page.click('#timeline-more');
  await page.waitForFunction(() => document.querySelectorAll('#timeline-items li').length === 33);
  assert.match(await page.textContent('#timeline-items li:last-child'), /Call 31/);

  // An empty note is refused beside the box; a written one lands on top.
  await page.click('#compose-note');
  await page.click('#composer-send');
  await page.waitForSelector('#err-subject');
  await page.fill('#composer-text', 'Prefers invoices in Rial\nAsk finance before sending');
  await page.press('#composer-text', 'Control+Enter');
  await page.waitForFunction(() => document.querySelector('#timeline-items li')?.textContent.includes('Prefers invoices in Rial'));
  assert.match(await page.textContent('#timeline-items li:first-child'), /Ask finance before sending/);
  assert.equal(await page.inputValue('#composer-text'), '', 'the composer is cleared');

  await page.click('.timeline .chip:has-text("Notes")');
  await page.waitForFunction(() => document.querySelectorAll('#timeline-items li').length === 1);
  assert.equal(await page.getAttribute('#timeline-items li', 'data-kind'), 'note');
  await page.screenshot({ path: join(artifacts, 'contact-timeline.png'), fullPage: true });
  const notes = await api(server.base, 'GET', `/api/v1/contacts/${id}/timeline?kind=note`);
  assert.equal(notes.body.items[0].data.subject, 'Prefers invoices in Rial');
  // A language switch redraws the items already shown (Persian digits, Solar Hijri dates).
  await page.click('#lang');
  await page.waitForFunction(() => /[۰-۹]/.test(document.querySelector('#timeline-items li small')?.textContent ?? ''));
  await page.click('#lang');
  await page.waitForFunction(() => /[0-9]/.test(document.querySelector('#timeline-items li small')?.textContent ?? ''));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a mention rings the bell; the inbox opens the record; following it', async () => {
  const me = await api(server.base, 'GET', '/api/v1/me');
  const rep = await api(server.base, 'POST', '/api/v1/users', { email: 'rep-inbox@e2e.example', name: 'Reza Rep', role: 'sales_rep', password: 'rep-password-123' });
  assert.equal(rep.status, 201, JSON.stringify(rep.body));
  const login = await fetch(`${server.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'rep-inbox@e2e.example', password: 'rep-password-123' }),
  });
  const { access_token: repToken } = await login.json();
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Mahsa', last_name: 'Inbox-E2E', owner_id: me.body.id });
  const note = await fetch(`${server.base}/api/v1/activities`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${repToken}` },
    body: JSON.stringify({ kind: 'note', subject: 'Pricing question', body: `Can @[${me.body.name}](user:${me.body.id}) confirm the discount?`, contact_ids: [contact.body.id] }),
  });
  assert.equal(note.status, 201);

  const page = await open('/contacts');
  await page.waitForSelector('#unread-count');
  const before = Number(await page.textContent('#unread-count'));
  assert.ok(before >= 1);
  await page.click('#nav-inbox');
  const item = page.locator('#inbox li.unread', { hasText: 'Mahsa Inbox-E2E' });
  await item.waitFor();
  assert.match(await item.textContent(), /Pricing question/);
  assert.match(await item.textContent(), /Reza Rep/);
  await page.screenshot({ path: join(artifacts, 'inbox.png') });
  await item.locator('a').click();
  await page.waitForURL(`**/contacts/${contact.body.id}`);
  await page.waitForFunction((n) => Number(document.querySelector('#unread-count')?.textContent ?? 0) === n - 1, before);
  // The note reads with the name, not the token.
  await page.waitForSelector('#timeline-items li[data-kind="note"]');
  assert.match(await page.textContent('#timeline-items li[data-kind="note"]'), new RegExp(`Can @${me.body.name} confirm the discount`));

  await page.click('#follow');
  await page.waitForSelector('#follow[aria-pressed="true"]');
  const f = await api(server.base, 'GET', `/api/v1/contacts/${contact.body.id}/follow`);
  assert.equal(f.body.following, true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a ringing call pops the caller card on an open page within a second; the console logs its outcome', async () => {
  const me = await api(server.base, 'GET', '/api/v1/me');
  const company = await api(server.base, 'POST', '/api/v1/companies', { name: 'Screenpop Trading' });
  const contact = await api(server.base, 'POST', '/api/v1/contacts', {
    first_name: 'Parisa', last_name: 'Caller-E2E', company_id: company.body.id, phones: [{ number: '+98 913 777 4242' }],
  });
  assert.equal(contact.status, 201, JSON.stringify(contact.body));

  // The agent is on another page, connected to the live stream.
  const page = await open('/deals/list');
  // Connected to the live stream.
  await page.waitForSelector('.shell[data-live="true"]');
  const post = (event) => api(server.base, 'POST', '/api/v1/telephony/events', { call_id: 'e2e-call-1', from: '09137774242', agent_email: me.body.email, event });
  const started = Date.now();
  assert.equal((await post('ringing')).status, 201);
  await page.waitForSelector('#call-pop #caller-name', { timeout: 1000 });
  const shownAfter = Date.now() - started;
  assert.ok(shownAfter <= 1000, `the card took ${shownAfter} ms`);
  assert.equal(await page.textContent('#call-pop #caller-name'), 'Parisa Caller-E2E');
  assert.equal(await page.textContent('#call-pop #caller-company'), 'Screenpop Trading');
  assert.equal(await page.getAttribute('#call-pop #caller-card', 'data-status'), 'ringing');
  assert.match(page.url(), /\/deals\/list$/, 'the page was not reloaded or left');
  await page.screenshot({ path: join(artifacts, 'call-pop.png') });

  // Answered and ended: the console takes the outcome and notes of the logged call.
  assert.equal((await post('answered')).status, 200);
  await page.waitForSelector('#call-pop #caller-card[data-status="answered"]');
  await page.click('#open-console');
  await page.waitForURL('**/console');
  await page.waitForSelector('#live-state[data-live="true"]');
  const ended = await post('ended');
  assert.ok(ended.body.activity_id);
  await page.waitForSelector('#after-call');
  await page.selectOption('#call-outcome', 'interested');
  await page.fill('#call-notes', 'Wants a quote for 40 seats');
  await page.screenshot({ path: join(artifacts, 'console.png') });
  await page.click('#after-call button[type=submit]');
  await page.waitForSelector('#console-empty');
  const activity = await api(server.base, 'GET', `/api/v1/activities/${ended.body.activity_id}`);
  assert.equal(activity.body.outcome, 'interested');
  assert.equal(activity.body.body, 'Wants a quote for 40 seats');
  assert.deepEqual(activity.body.contact_ids, [contact.body.id]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an unknown caller: the console offers to create the contact with the number', async () => {
  const me = await api(server.base, 'GET', '/api/v1/me');
  const page = await open('/console');
  await page.waitForSelector('#live-state[data-live="true"]');
  await api(server.base, 'POST', '/api/v1/telephony/events', { call_id: 'e2e-call-2', from: '+44 20 7946 0999', agent_email: me.body.email, event: 'ringing' });
  await page.waitForSelector('#quick-create');
  assert.equal(await page.textContent('#caller-name'), 'Unknown caller');
  await page.fill('#qc-first', 'Oliver');
  await page.fill('#qc-last', 'Newcaller');
  await page.click('#quick-create button[type=submit]');
  await page.waitForSelector('#caller-name a');
  assert.equal(await page.textContent('#caller-name'), 'Oliver Newcaller');
  const found = await api(server.base, 'GET', '/api/v1/phone-lookup?number=00442079460999');
  assert.deepEqual(found.body.contacts.map((c) => c.display_name), ['Oliver Newcaller']);
  // Hang up, so the card does not pop over the pages of the tests that follow.
  await api(server.base, 'POST', '/api/v1/telephony/events', { call_id: 'e2e-call-2', from: '+44 20 7946 0999', agent_email: me.body.email, event: 'ended' });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a notification reaches an open page without reloading', async () => {
  const me = await api(server.base, 'GET', '/api/v1/me');
  const page = await open('/contacts');
  // Connected to the live stream.
  await page.waitForSelector('.shell[data-live="true"]');
  const before = Number((await page.locator('#unread-count').count()) ? await page.textContent('#unread-count') : 0);
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Live', last_name: 'Bell-E2E' });
  await api(server.base, 'POST', '/api/v1/users', { email: 'rep-live@e2e.example', name: 'Lida Live', role: 'sales_rep', password: 'rep-password-123' });
  const login = await fetch(`${server.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'rep-live@e2e.example', password: 'rep-password-123' }),
  });
  const { access_token: repToken } = await login.json();
  // Someone else mentions the admin in a note.
  const note = await fetch(`${server.base}/api/v1/activities`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${repToken}` },
    body: JSON.stringify({ kind: 'note', subject: 'Live ping', body: `@[${me.body.name}](user:${me.body.id}) look`, contact_ids: [contact.body.id] }),
  });
  assert.equal(note.status, 201);
  await page.waitForFunction((n) => Number(document.querySelector('#unread-count')?.textContent ?? 0) === n + 1, before, { timeout: 2000 });
  await page.locator('.toast', { hasText: 'Live Bell-E2E' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the feed: my records, my team, everything; filtered like a timeline', async () => {
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Feed', last_name: 'Reader-E2E' });
  const note = await api(server.base, 'POST', '/api/v1/activities', { kind: 'note', subject: 'Feed note E2E', contact_ids: [contact.body.id] });
  assert.equal(note.status, 201);
  const page = await open('/feed');
  const item = page.locator('#feed-items li', { hasText: 'Feed note E2E' });
  await item.waitFor();
  assert.equal(await item.locator('a.tl-record').textContent(), 'Feed Reader-E2E');
  await page.click('#feed-scope button:nth-child(3)');
  await item.waitFor();
  // Only calls: the note goes.
  await page.click('#feed-filter button:nth-child(2)');
  await page.waitForFunction(() => ![...document.querySelectorAll('#feed-items li')].some((li) => li.textContent.includes('Feed note E2E')));
  await page.click('#feed-filter button:nth-child(5)');
  await item.waitFor();
  await page.screenshot({ path: join(artifacts, 'feed.png') });
  await item.locator('a.tl-record').click();
  await page.waitForURL(`**/contacts/${contact.body.id}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('hand a contact over with a note: the new owner is told why', async () => {
  const rep = await api(server.base, 'POST', '/api/v1/users', { email: 'rep-handover@e2e.example', name: 'Hana Handover', role: 'sales_rep', password: 'rep-password-123' });
  assert.equal(rep.status, 201, JSON.stringify(rep.body));
  const contact = await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Handed', last_name: 'Over-E2E' });
  const page = await open(`/contacts/${contact.body.id}`);
  await page.waitForSelector('#owner-name');
  await page.click('#handover');
  await page.selectOption('#handover-user', rep.body.id);
  await page.fill('#handover-note', 'Renewal call on Monday; they asked for you');
  await page.click('#handover-dialog button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#owner-name')?.textContent === 'Hana Handover');
  await page.screenshot({ path: join(artifacts, 'handover.png') });
  const after = await api(server.base, 'GET', `/api/v1/contacts/${contact.body.id}`);
  assert.equal(after.body.owner_id, rep.body.id);
  const login = await fetch(`${server.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'rep-handover@e2e.example', password: 'rep-password-123' }),
  });
  const { access_token } = await login.json();
  const inbox = await (await fetch(`${server.base}/api/v1/notifications`, { headers: { authorization: `Bearer ${access_token}` } })).json();
  const told = inbox.items.find((n) => n.kind === 'assigned' && n.subject_id === contact.body.id);
  assert.equal(told?.detail, 'Renewal call on Monday; they asked for you');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('settings: an admin sets up the mail server and a template; an email is sent from a contact and logged', async () => {
  const sink = await startSmtpSink();
  try {
    const page = await open('/settings');
    await page.waitForSelector('#smtp-status:has-text("Not set up")');
    await page.fill('#smtp-host', '127.0.0.1');
    await page.selectOption('#smtp-security', 'none');
    await page.fill('#smtp-port', String(sink.port));
    await page.fill('#smtp-from_address', 'sales-at-example');
    await page.click('#smtp-save');
    await page.waitForSelector('#err-from_address');
    await page.fill('#smtp-from_address', 'sales@e2e.example');
    await page.fill('#smtp-from_name', 'E2E Sales');
    await page.click('#smtp-save');
    await page.waitForSelector('#smtp-status:has-text("Email can be sent")');

    // A template with an unknown merge field is refused beside the field; a good one is listed.
    await page.fill('#template-name', 'Welcome');
    await page.fill('#template-subject', 'Hello {{contact.first_name|there}}');
    await page.fill('#template-body', 'Hi {{contact.nickname}}');
    await page.click('#template-save');
    await page.waitForSelector('#err-body');
    await page.fill('#template-body', 'Hi {{contact.first_name}},\nwelcome aboard.');
    await page.click('#template-save');
    await page.waitForSelector('#templates li:has-text("Welcome")');
    await page.screenshot({ path: join(artifacts, 'settings-email.png'), fullPage: true });
    await page.close();

    const created = await api(server.base, 'POST', '/api/v1/contacts', {
      first_name: 'Mahsa', last_name: 'Mail-E2E', emails: [{ address: 'mahsa.mail@e2e.example', label: 'work', primary: true }],
    });
    const contact = await open(`/contacts/${created.body.id}`);
    await contact.click('#compose-email');
    await contact.waitForSelector('#composer-template option:has-text("Welcome")', { state: 'attached' });
    await contact.selectOption('#composer-template', { label: 'Welcome' });
    assert.match(await contact.inputValue('#composer-text'), /^Hello \{\{contact\.first_name\|there\}\}\nHi/);
    assert.equal((await contact.textContent('#composer-send')).trim(), 'Send');
    await contact.click('#composer-send');
    await contact.waitForFunction(() => document.querySelector('#timeline-items li')?.textContent.includes('Hello Mahsa'));
    assert.equal(await contact.getAttribute('#timeline-items li', 'data-kind'), 'email');
    assert.equal(sink.received.length, 1, 'one message reached the mail server');
    const mail = sink.received[0];
    assert.deepEqual(mail.to, ['mahsa.mail@e2e.example']);
    assert.match(mail.data, /^Subject: Hello Mahsa\r?$/m);
    assert.match(mail.data, /Hi Mahsa,/);
    assert.match(mail.data, /^From: .*sales@e2e\.example/m);
    await contact.screenshot({ path: join(artifacts, 'contact-email-sent.png'), fullPage: true });
    assert.deepEqual(contact.errors, []);
    await contact.close();
  } finally {
    sink.stop();
  }
});

test('settings: an API key is shown once, works, is listed with its last use and revoked', async () => {
  const page = await open('/settings/api-keys');
  await page.waitForSelector('#keys-empty, #api-keys');
  await page.click('#key-create');
  await page.waitForSelector('#err-name');
  await page.fill('#key-name', 'Shop E2E');
  await page.selectOption('#key-role', 'sales_rep');
  await page.click('#key-create');
  await page.waitForSelector('#new-key');
  const key = await page.inputValue('#new-key');
  assert.match(key, /^\S{20,}$/);
  await page.waitForSelector('tr[data-name="Shop E2E"]:has-text("sales_rep")');
  const withKey = (path) => fetch(`${server.base}${path}`, { headers: { 'x-api-key': key } });
  assert.equal((await withKey('/api/v1/contacts?limit=1')).status, 200);
  await page.click('.secret-once button.secondary');
  await page.waitForSelector('#new-key', { state: 'detached' });

  // Shown once: after a reload the page holds only its prefix, and its last use.
  await page.reload();
  await page.waitForSelector('tr[data-name="Shop E2E"]');
  assert.ok(!(await page.content()).includes(key));
  assert.doesNotMatch(await page.textContent('tr[data-name="Shop E2E"]'), /never/);

  page.once('dialog', (d) => d.accept());
  await page.click('tr[data-name="Shop E2E"] .danger-link');
  await page.waitForSelector('tr[data-name="Shop E2E"].revoked:has-text("Revoked")');
  assert.equal((await withKey('/api/v1/contacts?limit=1')).status, 401);
  await page.screenshot({ path: join(artifacts, 'settings-api-keys.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('settings: a webhook is subscribed, its test event fails then replays, the log shows each answer', async () => {
  const { createServer } = await import('node:http');
  const { createHmac } = await import('node:crypto');
  const received = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (received.length === 1) { res.writeHead(500); res.end('boom'); } else { res.writeHead(200); res.end('ok'); }
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  try {
    const page = await open('/settings/webhooks');
    await page.waitForSelector('#webhooks-empty');
    await page.fill('#webhook-url', url);
    await page.check('input[value="contact.*"]');
    // A loopback receiver needs the admin's explicit permission.
    await page.click('#webhook-save');
    await page.waitForSelector('#err-url');
    await page.check('#webhook-private');
    await page.fill('#webhook-filter', 'not json');
    await page.click('#webhook-save');
    await page.waitForSelector('#err-filter');
    await page.fill('#webhook-filter', '');
    await page.click('#webhook-save');
    await page.waitForSelector('#new-secret');
    const secret = await page.inputValue('#new-secret');
    assert.ok(secret.length > 20);
    // Ticking contact.* covers every contact event.
    assert.ok(await page.isDisabled('input[value="contact.created"]'));
    await page.click(`#webhooks a:has-text("${url}")`);
    await page.waitForSelector('#webhook-title');
    assert.equal(await page.textContent('#webhook-title'), url);
    await page.waitForSelector('#deliveries-empty');

    // The test event meets a 500: the log shows the answer, and it will be retried.
    await page.click('#webhook-ping');
    await page.waitForSelector('tr[data-event="ping"][data-status="pending"] .answer:has-text("HTTP 500")', { timeout: 15_000 });
    const first = received[0];
    const expected = createHmac('sha256', secret).update(`${first.headers['webhook-timestamp']}.${first.body}`).digest('hex');
    assert.equal(first.headers['webhook-signature'], `v1=${expected}`, 'signed with the secret the page showed');
    await page.click('tr[data-event="ping"] button:has-text("Details")');
    await page.waitForSelector('.delivery-body .attempts li:has-text("HTTP 500")');
    assert.match(await page.textContent('.delivery-body .response'), /boom/);
    assert.match(await page.textContent('.delivery-body .payload'), /"type": "ping"/);

    // Replayed, it is delivered with the same event id.
    await page.click('tr[data-event="ping"] button.replay');
    await page.waitForSelector('tr[data-event="ping"][data-status="succeeded"]', { timeout: 15_000 });
    assert.equal(received[1].headers['webhook-id'], first.headers['webhook-id']);

    // A real event reaches the log by itself while a delivery is pending.
    await api(server.base, 'POST', '/api/v1/contacts', { first_name: 'Webhook', last_name: 'E2E' });
    await page.waitForSelector('tr[data-event="contact.created"][data-status="succeeded"]', { timeout: 15_000 });
    await page.click('#delivery-status button:has-text("Delivered")');
    await page.waitForFunction(() => [...document.querySelectorAll('#deliveries tr[data-status]')].every((r) => r.dataset.status === 'succeeded'));
    await page.screenshot({ path: join(artifacts, 'settings-webhook.png'), fullPage: true });

    await page.click('#webhook-toggle');
    await page.waitForSelector('#webhook-status:has-text("Off")');
    page.once('dialog', (d) => d.accept());
    await page.click('#webhook-delete');
    await page.waitForURL('**/settings/webhooks');
    await page.waitForSelector('#webhooks-empty');
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    receiver.close();
  }
});

test('record pages: a task is created with a field check, edited in place, a conflict reapplied; a product and a lead', async () => {
  const page = await open('/tasks/new');
  await page.click('#record-save');
  await page.waitForSelector('#err-title');
  await page.fill('#new-title', 'Call Pars about renewal E2E');
  await page.fill('#new-due_at', '2026-12-01');
  await page.selectOption('#new-priority', 'high');
  await page.click('#record-save');
  await page.waitForURL(/\/tasks\/(?!new$)[^/]+$/);
  const id = page.url().split('/').pop();
  await page.waitForSelector('#record-name:has-text("Call Pars about renewal E2E")');
  assert.equal(await page.textContent('#field-priority'), 'high');

  await page.click('#field-title');
  await page.fill('#edit-title', 'Call Pars about the renewal E2E');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#field-title')?.textContent === 'Call Pars about the renewal E2E');
  await page.waitForSelector('.history .audit li:has-text("title")');

  // Someone else renames it; this page still holds version 2.
  const login = await fetch(`${server.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { access_token } = await login.json();
  const res = await fetch(`${server.base}/api/v1/tasks/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}`, 'if-match': '"2"' },
    body: JSON.stringify({ title: 'Renamed elsewhere E2E' }),
  });
  assert.equal(res.status, 200);
  await page.click('#field-priority');
  await page.selectOption('#edit-priority', 'urgent');
  await page.waitForSelector('.conflict:has-text("Renamed elsewhere E2E")');
  await page.click('#reapply');
  await page.waitForSelector('.conflict', { state: 'detached' });
  await page.waitForFunction(() => document.querySelector('#field-priority')?.textContent === 'urgent');
  const saved = await api(server.base, 'GET', `/api/v1/tasks/${id}`);
  assert.equal(saved.body.title, 'Renamed elsewhere E2E', 'theirs kept');
  assert.equal(saved.body.priority, 'urgent', 'mine applied');
  assert.match(saved.body.due_at, /^2026-12-01T/);
  assert.deepEqual(page.errors, []);
  await page.close();

  // A product: the server's problem with the price is shown beside it.
  const product = await open('/products/new');
  await product.fill('#new-sku', 'E2E-SKU-1');
  await product.fill('#new-name', 'Router E2E');
  await product.fill('#new-unit_price', 'lots USD');
  await product.click('#record-save');
  await product.waitForSelector('#err-unit_price');
  await product.fill('#new-unit_price', '1250.50 USD');
  await product.click('#record-save');
  await product.waitForURL(/\/products\/(?!new$)[^/]+$/);
  await product.waitForSelector('#field-unit_price:has-text("1,250.50")');
  assert.deepEqual(product.errors, []);
  await product.close();

  // A lead from the list's button; its status changes on its page.
  const lead = await open('/leads');
  await lead.click('#new-record');
  await lead.fill('#new-first_name', 'Parisa');
  await lead.fill('#new-email', 'parisa.lead@e2e.example');
  await lead.click('#record-save');
  await lead.waitForURL(/\/leads\/(?!new$)[^/]+$/);
  await lead.click('#field-status');
  await lead.selectOption('#edit-status', 'working');
  await lead.waitForFunction(() => document.querySelector('#field-status')?.textContent === 'Working');
  // Disqualifying asks for the reason; the lead can no longer be converted.
  await lead.click('#disqualify');
  await lead.fill('#dq-reason', 'No budget this year');
  await lead.click('#confirm-disqualify');
  await lead.waitForFunction(() => document.querySelector('#field-status')?.textContent === 'Disqualified');
  assert.equal(await lead.textContent('#field-disqualify_reason'), 'No budget this year');
  assert.ok(await lead.isDisabled('#convert'));
  await lead.locator('.audit li li', { hasText: 'disqualify_reason' }).waitFor();
  await lead.screenshot({ path: join(artifacts, 'lead-page.png'), fullPage: true });
  assert.deepEqual(lead.errors, []);
  await lead.close();
});

test('a new order: the customer found by phone, lines from the catalogue with totals, a bad line named beside it', async () => {
  // A demo contact with a phone, and two active products of one currency.
  const contacts = await api(server.base, 'GET', '/api/v1/contacts?limit=50');
  const customer = contacts.body.items.find((c) => c.phones.length > 0);
  const products = await api(server.base, 'GET', '/api/v1/products?active=true&sort=name&limit=50');
  const [p1] = products.body.items;
  const currency = p1.unit_price.currency;
  const p2 = products.body.items.find((p) => p.id !== p1.id && p.unit_price.currency === currency);
  assert.ok(customer && p1 && p2);

  const page = await open('/orders');
  await page.click('#new-record');
  await page.waitForSelector('#order-form');
  // The number as people write it, with spaces.
  const e164 = customer.phones[0].number;
  await page.fill('#order-customer', `${e164.slice(0, 3)} ${e164.slice(3, 6)} ${e164.slice(6)}`);
  await page.click(`.picker-hits li:has-text("${customer.first_name}")`);
  await page.waitForSelector('.picked');
  assert.match(await page.textContent('.picked'), new RegExp(customer.first_name));
  await page.fill('#order-currency', currency);

  // A catalogue line priced from the product, then a line of its own with a discount.
  await page.fill('.line:nth-child(1) .line-item', `${p1.sku} · ${p1.name}`);
  await page.fill('.line:nth-child(1) .line-quantity', '2');
  await page.click('#order-lines .add-line');
  await page.fill('.line:nth-child(2) .line-item', 'Installation E2E');
  await page.fill('.line:nth-child(2) .line-price', '100');
  await page.fill('.line:nth-child(2) .line-quantity', '-1');
  await page.click('#order-lines .add-line');
  await page.fill('.line:nth-child(3) .line-item', `${p2.sku} · ${p2.name}`);
  await page.click('.line:nth-child(3) .remove-line');
  assert.equal(await page.locator('.line').count(), 2, 'the third line is removed');
  await page.waitForFunction(() => document.querySelector('.line:nth-child(1) .line-total')?.textContent !== '');

  // Checked before it is sent: the bad quantity is named beside its line, nothing is saved.
  const before = await api(server.base, 'GET', `/api/v1/orders?contact_id=${customer.id}&limit=200`);
  await page.click('#order-save');
  await page.waitForSelector('#err-line_items-1--quantity');
  await page.fill('.line:nth-child(2) .line-quantity', '1');
  await page.fill('.line:nth-child(2) .line-discount', '10');
  await page.fill('#order-shipping', '25');
  await page.screenshot({ path: join(artifacts, 'order-new.png'), fullPage: true });
  const shownTotal = await page.textContent('#order-total');
  await page.click('#order-save');
  await page.waitForURL(/\/orders\/(?!new$)[^/]+$/);
  const id = page.url().split('/').pop();
  const saved = await api(server.base, 'GET', `/api/v1/orders/${id}`);
  assert.equal(saved.body.contact_id, customer.id);
  assert.deepEqual(saved.body.line_items.map((l) => [l.product_id, l.name, Number(l.quantity), Number(l.discount_percent)]),
    [[p1.id, p1.name, 2, 0], [null, 'Installation E2E', 1, 10]]);
  // The form showed the total the server computed.
  const serverTotal = Number(saved.body.total.amount);
  assert.equal(serverTotal, Number(p1.unit_price.amount) * 2 + 90 + 25);
  assert.equal(Number(shownTotal.replace(/[^0-9.]/g, '')), serverTotal, `${shownTotal} shown, ${serverTotal} saved`);
  const after = await api(server.base, 'GET', `/api/v1/orders?contact_id=${customer.id}&limit=200`);
  assert.equal(after.body.items.length, before.body.items.length + 1, 'one order was saved, once');
  await page.waitForSelector('#field-total');
  assert.deepEqual(page.errors, []);
  await page.close();
});
