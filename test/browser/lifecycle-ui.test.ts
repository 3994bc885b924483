import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';
import { type BrowserSession, launchChromium, newPage, signInByLink } from './browser.ts';

/**
 * Rename, delete and restore in the web app, in Debian's Chromium against the
 * local stack: every change is read back from the API, not from the page.
 */
const local = useTestStack();
let session: BrowserSession;
const eventually = { timeout: 20_000, interval: 100 };

beforeAll(async () => {
  if (!existsSync('web/dist/index.html')) throw new Error('the web app is not built: run `npm run setup`');
  session = await launchChromium();
}, 120_000);

afterAll(() => session?.close());

async function open(path: string) {
  const { context, page } = await newPage(session.browser);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await signInByLink(page, local.stack.url, local.stack.token, path);
  return { page, problems, close: () => context.close() };
}

const experimentNames = (page: Page) =>
  page.locator('table[aria-label="Experiments"] tbody tr td:first-child a').allTextContents();

describe('experiments', () => {
  test('rename, delete, find among the deleted, restore', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'lifecycle-before' });
    const id = created.body.experiment_id as string;
    const stage = async () => (await local.api.get(`/api/v1/experiments/${id}`)).body;
    const { page, problems, close } = await open(`/experiments/${id}`);
    try {
      await page.click('.page-header button:text-is("Rename")');
      await page.fill('dialog input[type="text"]', 'lifecycle-after');
      await page.click('dialog button[type="submit"]');
      await expect.poll(async () => (await stage()).experiment_name, eventually).toBe('lifecycle-after');
      await expect.poll(() => page.locator('h1').textContent(), eventually).toBe('lifecycle-after');

      // A name that is taken: the API's 409 message shows in the dialog, and nothing changes.
      await local.api.post('/api/v1/experiments', { experiment_name: 'lifecycle-taken' });
      await page.click('.page-header button:text-is("Rename")');
      await page.fill('dialog input[type="text"]', 'lifecycle-taken');
      await page.click('dialog button[type="submit"]');
      await expect.poll(() => page.locator('dialog [role="alert"]').textContent(), eventually).toMatch(/taken|exists/i);
      expect((await stage()).experiment_name).toBe('lifecycle-after');
      await page.click('dialog button:text-is("Cancel")');

      await page.click('.page-header button:text-is("Delete")');
      await page.click('dialog button[type="submit"]');
      await expect.poll(async () => (await stage()).lifecycle_stage, eventually).toBe('deleted');
      await page.waitForSelector('.deleted-notice');

      // The list leaves it out, until asked for the deleted ones.
      await page.goto(`${local.stack.url}/experiments`);
      await page.locator('table[aria-label="Experiments"] tbody tr').first().waitFor();
      expect(await experimentNames(page)).not.toContain('lifecycle-after');
      await page.selectOption('select[aria-label="Which experiments to show"]', 'deleted');
      await expect.poll(() => experimentNames(page), eventually).toEqual(['lifecycle-after']);
      expect(new URL(page.url()).searchParams.get('show')).toBe('deleted');

      await page.click('table[aria-label="Experiments"] a:text-is("lifecycle-after")');
      await page.click('.deleted-notice button:text-is("Restore")');
      await expect.poll(async () => (await stage()).lifecycle_stage, eventually).toBe('active');
      await expect.poll(() => page.locator('.deleted-notice').count(), eventually).toBe(0);
      expect(problems.filter((problem) => !/409/.test(problem))).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('runs', () => {
  test('rename, delete, restore, and remove a tag', async () => {
    const run = await local.api.post('/api/v1/runs', {
      experiment_name: 'lifecycle-runs',
      run_name: 'first-name',
      tags: { stage: 'draft', owner: 'ana' },
    });
    const id = run.body.run_id as string;
    const current = async () => (await local.api.get(`/api/v1/runs/${id}`)).body;
    const { page, problems, close } = await open(`/runs/${id}?tab=overview`);
    try {
      await page.click('.page-header button:text-is("Rename")');
      await page.fill('dialog input[type="text"]', 'second-name');
      await page.click('dialog button[type="submit"]');
      await expect.poll(async () => (await current()).run_name, eventually).toBe('second-name');
      await expect.poll(() => page.locator('h1').textContent(), eventually).toContain('second-name');

      await page.click('button[aria-label="Remove tag stage"]');
      await expect.poll(async () => Object.keys((await current()).tags).sort(), eventually).toEqual(['owner']);
      await expect.poll(() => page.locator('button[aria-label="Remove tag stage"]').count(), eventually).toBe(0);

      await page.click('.page-header button:text-is("Delete")');
      await page.click('dialog button[type="submit"]');
      await expect.poll(async () => (await current()).lifecycle_stage, eventually).toBe('deleted');
      await page.waitForSelector('.deleted-notice');
      await page.click('.deleted-notice button:text-is("Restore")');
      await expect.poll(async () => (await current()).lifecycle_stage, eventually).toBe('active');
      await expect.poll(() => page.locator('.deleted-notice').count(), eventually).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
