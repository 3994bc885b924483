import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';
import { type BrowserSession, launchChromium, newPage, signInByLink } from './browser.ts';
import { ensureWebAppBuilt } from './web-build.ts';

/**
 * Rename, delete and restore in the web app, in Debian's Chromium against the
 * local stack: every change is read back from the API, not from the page.
 */
const local = useTestStack();
let session: BrowserSession;
const eventually = { timeout: 20_000, interval: 100 };

beforeAll(async () => {
  ensureWebAppBuilt();
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
      // It keeps its name until restored, as on MLflow: no Rename (nor Delete) to offer.
      expect(await page.locator('.page-header button:text-is("Rename")').count()).toBe(0);

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
      await page.locator('.page-header button:text-is("Rename")').waitFor();
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

describe('a run deleted with its experiment', () => {
  test('says its experiment is deleted and restores the experiment, since the run alone cannot be; it is not refreshed as live', async () => {
    const run = await local.api.post('/api/v1/runs', { experiment_name: 'old-baselines', run_name: 'baseline-b' });
    const id = run.body.run_id as string;
    const experimentId = run.body.experiment_id as string;
    expect((await local.api.call('DELETE', `/api/v1/experiments/${experimentId}`)).status).toBe(200);
    const current = async () => (await local.api.get(`/api/v1/runs/${id}`)).body;
    expect((await current()).lifecycle_stage).toBe('deleted');
    const { page, problems, close } = await open(`/runs/${id}?tab=overview`);
    try {
      const notice = page.locator('.deleted-notice');
      await expect
        .poll(() => notice.textContent(), eventually)
        .toContain('its experiment old-baselines is deleted, and its runs with it');
      // Still RUNNING, but deleted: it takes no data, so it is not polled as a live run.
      expect(await page.locator('.live').count()).toBe(0);
      await notice.getByRole('button', { name: 'Restore the experiment' }).click();
      await expect.poll(async () => (await current()).lifecycle_stage, eventually).toBe('active');
      await expect.poll(() => page.locator('.deleted-notice').count(), eventually).toBe(0);
      expect((await local.api.get(`/api/v1/experiments/${experimentId}`)).body.lifecycle_stage).toBe('active');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

/** The run ids of the table's rows, in row order (rows are absolutely placed, so by aria-rowindex). */
const tableRunIds = (page: Page) =>
  page.locator('.grid-body .grid-row').evaluateAll((rows) =>
    rows
      .map((row) => ({ index: Number(row.getAttribute('aria-rowindex')), id: row.getAttribute('data-run-id') }))
      .sort((a, b) => a.index - b.index)
      .map((row) => row.id),
  );

describe('runs table', () => {
  test('orders by duration as the API does; a run still going comes last either way', async () => {
    const experiment = await local.api.post('/api/v1/experiments', { experiment_name: 'durations' });
    const experimentId = experiment.body.experiment_id as string;
    for (const [name, minutes] of [
      ['quick', 1],
      ['long', 90],
      ['medium', 12],
      ['still-going', undefined],
      ['short', 3],
    ] as const) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name });
      if (minutes !== undefined) {
        const ended = await local.api.patch(`/api/v1/runs/${run.body.run_id}`, {
          status: 'FINISHED',
          end_time: run.body.start_time + minutes * 60_000,
        });
        expect(ended.status).toBe(200);
      }
    }
    const apiOrder = async (direction: string) =>
      (
        await local.api.post('/api/v1/runs/search', {
          experiment_ids: [experimentId],
          order_by: [`duration ${direction}`],
        })
      ).body.runs.map((run: { run_id: string }) => run.run_id);
    const { page, problems, close } = await open(`/experiments/${experimentId}`);
    try {
      await page.locator('.grid-body .grid-row').first().waitFor();
      await page.click('[role="columnheader"] button:has-text("Duration")');
      const descending = await apiOrder('DESC');
      await expect.poll(() => tableRunIds(page), eventually).toEqual(descending);
      expect(new URL(page.url()).searchParams.get('order')).toBe('duration DESC');
      await page.click('[role="columnheader"] button:has-text("Duration")');
      const ascending = await apiOrder('ASC');
      await expect.poll(() => tableRunIds(page), eventually).toEqual(ascending);
      // Not the reverse: the run without a duration is last both times.
      expect(descending.at(-1)).toBe(ascending.at(-1));
      expect(await page.locator('[role="columnheader"][aria-sort="ascending"]').textContent()).toContain('Duration');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('deleted runs are shown on request and restored from the table', async () => {
    const experiment = await local.api.post('/api/v1/experiments', { experiment_name: 'with-deleted-runs' });
    const experimentId = experiment.body.experiment_id as string;
    const ids: Record<string, string> = {};
    for (const name of ['kept', 'dropped-1', 'dropped-2']) {
      ids[name] = (await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name })).body.run_id;
    }
    expect((await local.api.delete(`/api/v1/runs/${ids['dropped-1']}`)).status).toBe(200);
    expect((await local.api.delete(`/api/v1/runs/${ids['dropped-2']}`)).status).toBe(200);
    const stage = async (name: string) => (await local.api.get(`/api/v1/runs/${ids[name]}`)).body.lifecycle_stage;
    const { page, problems, close } = await open(`/experiments/${experimentId}`);
    try {
      await page.locator('.grid-body .grid-row').first().waitFor();
      expect(await tableRunIds(page)).toEqual([ids.kept]);

      await page.selectOption('select[aria-label="Which runs to show"]', 'deleted');
      await expect
        .poll(() => tableRunIds(page).then((shown) => shown.sort()), eventually)
        .toEqual([ids['dropped-1'], ids['dropped-2']].sort());
      expect(new URL(page.url()).searchParams.get('show')).toBe('deleted');

      await page.click('button[aria-label="Restore dropped-1"]');
      await expect.poll(() => stage('dropped-1'), eventually).toBe('active');
      await expect.poll(() => tableRunIds(page), eventually).toEqual([ids['dropped-2']]);

      await page.selectOption('select[aria-label="Which runs to show"]', 'all');
      await expect.poll(() => tableRunIds(page).then((shown) => shown.length), eventually).toBe(3);
      const deletedRows = page.locator('.grid-row', { has: page.locator('.status.deleted') });
      expect(await deletedRows.getAttribute('data-run-id')).toBe(ids['dropped-2']);
      expect(await stage('dropped-2')).toBe('deleted');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

// Last in the file: its deleted experiment would otherwise show among the deleted ones above.
describe('run counts', () => {
  test('the experiments list counts active runs, and a deleted experiment the runs deleted with it', async () => {
    const start = async (experiment: string, runs: number) => {
      const ids: string[] = [];
      for (let i = 0; i < runs; i++) {
        ids.push((await local.api.post('/api/v1/runs', { experiment_name: experiment })).body.run_id);
      }
      return ids;
    };
    const [dropped] = await start('counted-kept', 3);
    expect((await local.api.delete(`/api/v1/runs/${dropped}`)).status).toBe(200);
    const [first] = await start('counted-gone', 2);
    const gone = (await local.api.get(`/api/v1/runs/${first}`)).body.experiment_id as string;
    expect((await local.api.delete(`/api/v1/experiments/${gone}`)).status).toBe(200);
    const { page, problems, close } = await open('/experiments?show=all');
    try {
      const cell = (name: string) =>
        page.locator('table[aria-label="Experiments"] tbody tr', { hasText: name }).locator('td.num').first();
      await expect.poll(() => cell('counted-kept').textContent(), eventually).toBe('2');
      expect(await cell('counted-kept').getAttribute('title')).toBe('and 1 deleted');
      await expect.poll(() => cell('counted-gone').textContent(), eventually).toBe('2 deleted');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
