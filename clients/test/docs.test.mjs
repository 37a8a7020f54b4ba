// /docs in a real browser, offline: Debian's headless Chromium driven by
// playwright-core opens Swagger UI, authorises with a token and runs
// "Try it out" on a list call. The screenshot lands in artifacts/ (ignored).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { chromium } from 'playwright-core';

const baseUrl = process.env.REGISTRY_URL ?? 'http://127.0.0.1:8080';
const password = process.env.ADMIN_PASSWORD ?? 'change-me-now';
const artifacts = new URL('../artifacts/', import.meta.url).pathname;

async function accessToken() {
  const reply = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  assert.equal(reply.status, 200);
  return (await reply.json()).access_token;
}

test('Swagger UI renders, authorises and runs a list call with no internet', async () => {
  const token = await accessToken();
  const profile = mkdtempSync(join(tmpdir(), 'registry-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Generous: rendering 128 operations on a busy 2-core machine takes a while.
    page.setDefaultTimeout(60_000);
    const elsewhere = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(baseUrl) && !url.startsWith('data:')) elsewhere.push(url);
    });

    await page.goto(`${baseUrl}/docs/`, { timeout: 120_000 });
    await page.locator('.opblock').first().waitFor({ timeout: 120_000 });
    const operations = await page.locator('.opblock').count();
    assert.ok(operations > 100, `only ${operations} operations rendered`);

    await page.locator('.auth-wrapper .authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').first().fill(token);
    await dialog.locator('button.modal-btn.auth.authorize').click();
    await dialog.locator('button', { hasText: 'Logout' }).waitFor();
    await dialog.locator('button.btn-done').click();

    const list = page.locator('#operations-organisations-listOrganisations');
    await list.locator('.opblock-summary').first().click();
    await list.locator('button.try-out__btn').click();
    await list.locator('button.execute').click();
    const status = list.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    assert.equal((await status.innerText()).trim(), '200');
    const body = await list.locator('.live-responses-table .response-col_description pre').first().innerText();
    assert.match(body, /"items"/);

    await status.scrollIntoViewIfNeeded();
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'docs.png'), fullPage: false });
    assert.deepEqual(elsewhere, [], 'the page reached beyond the server');
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
