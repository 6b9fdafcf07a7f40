// Starts the real `crm` binary on a fresh SQLite database and Debian's Chromium through
// playwright-core, for browser tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'e2e', 'artifacts');
export const ADMIN = { email: 'admin@e2e.example', password: 'e2e-password-123' };

/** Starts the server with demo data; resolves once /healthz answers. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const bin = process.env.CRM_BIN || join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'crm');
  const child = spawn(bin, ['serve'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'crm.db')}`,
      CRM_LISTEN: '127.0.0.1:0',
      CRM_ADMIN_EMAIL: ADMIN.email,
      CRM_ADMIN_PASSWORD: ADMIN.password,
      CRM_DEMO_DATA: 'true',
      CRM_SPA_DIR: join(root, 'frontend', 'dist'),
      CRM_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 300_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/app:\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Headless Debian Chromium, as the developers' guide prescribes. */
export async function startBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'crm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  mkdirSync(artifacts, { recursive: true });
  return {
    context,
    async stop() { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** Records the page's script errors in `page.errors` (a refused request's log line aside). */
export function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(m.text()); });
}

/** Calls the API as the admin. */
export async function api(base, method, path, body) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
  });
  const { access_token } = await login.json();
  const res = await fetch(`${base}${path}`, {
    method, headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/** Signs the admin in through the form; the session stays in the browser profile. */
export async function signIn(page, base) {
  await page.goto(`${base}/login`);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/contacts');
}

/** A minimal SMTP server on a free port that keeps every message it is given. */
export async function startSmtpSink() {
  const { createServer } = await import('node:net');
  const received = [];
  const server = createServer((socket) => {
    let buffer = '';
    let data = null;
    let envelope = { from: '', to: [] };
    socket.write('220 sink.e2e ESMTP ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (data !== null) {
          if (line === '.') {
            received.push({ ...envelope, data: data.join('\r\n') });
            envelope = { from: '', to: [] };
            data = null;
            socket.write('250 2.0.0 queued\r\n');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-sink.e2e\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') { envelope.from = line; socket.write('250 2.1.0 ok\r\n'); }
        else if (verb === 'RCPT') { envelope.to.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1')); socket.write('250 2.1.5 ok\r\n'); }
        else if (verb === 'DATA') { data = []; socket.write('354 end with <CRLF>.<CRLF>\r\n'); }
        else if (verb === 'QUIT') { socket.end('221 bye\r\n'); }
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, received, stop: () => server.close() };
}

/** A new page of `browser` at `path`, `width` pixels wide, that records script errors. */
export async function openPage(browser, base, path, width = 1440) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  watchErrors(page);
  await page.goto(`${base}${path}`);
  return page;
}

/** Switches the app's language to `code` (`en` or `fa`) unless it is already. */
export async function setLanguage(page, code) {
  if ((await page.getAttribute('html', 'lang')) !== code) {
    await page.click('#lang');
    await page.waitForFunction((c) => document.documentElement.lang === c, code);
  }
}
