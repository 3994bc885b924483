import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCsv } from '../../web/src/components/csv.ts';
import { useTestStack } from '../support/local-api.ts';
import { type BrowserSession, launchChromium } from './browser.ts';
import { type Opened, openSignedIn, seriousViolations } from './page-checks.ts';
import { ensureWebAppBuilt } from './web-build.ts';

/**
 * A run past what one answer carries: 10,000 params (some 6,000 characters long, some keys not in Latin
 * letters) and 190 tags of 8,000 characters. Its answer gives the first MiB of each list and
 * params_truncated / tags_truncated; the web app must read the rest from the run's list pages and show
 * every key, keep the page usable (no 10,000 rows at once) and say that a list is partial while it loads.
 */
const local = useTestStack();
let session: BrowserSession;
const eventually = { timeout: 30_000, interval: 100 };

const paramCount = 10_000;
/** Every 50th param holds a 6,000-character value: 200 of them, 1.2 MB. */
const longEvery = 50;
const paramKey = (i: number) =>
  i % 1000 === 7 ? `学习率/层_${String(i).padStart(5, '0')}` : `layer_${String(i).padStart(5, '0')}/dropout`;
const paramValue = (i: number) => (i % longEvery === 0 ? `v${i}:`.padEnd(6000, 'x') : `0.${i}`);
/** Sorts after every layer_ key: on the last list page. */
const lastParam = ['zz_final/ünïcödé_κλειδί', 'the last one'] as const;

const userTags = Array.from({ length: 190 }, (_, i) => [
  `a-tag-${String(i).padStart(3, '0')}`,
  `t${i}:`.padEnd(8000, 'y'),
]);
/** Tags the clients set, keyed after `a-tag-…`: past the first MiB, yet read as the description and the overview. */
const note = 'A note MLflow kept in a tag past the first page.';
const host = 'gpu-node-17.example.internal';

const ids = {} as { experiment: string; big: string; small: string };

beforeAll(async () => {
  ensureWebAppBuilt();
  session = await launchChromium();
  const created = await local.api.post('/api/v1/runs', { experiment_name: 'past-one-answer', run_name: 'huge' });
  expect(created.status).toBe(201);
  ids.big = created.body.run_id;
  ids.experiment = created.body.experiment_id;
  for (let start = 0; start < paramCount; start += 100) {
    const params = Array.from({ length: Math.min(100, paramCount - start) }, (_, j) => [
      paramKey(start + j),
      paramValue(start + j),
    ]);
    const answer = await local.api.post(`/api/v1/runs/${ids.big}/params`, { params: Object.fromEntries(params) });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  expect(
    (await local.api.post(`/api/v1/runs/${ids.big}/params`, { params: Object.fromEntries([lastParam]) })).status,
  ).toBe(200);
  for (let start = 0; start < userTags.length; start += 50) {
    const answer = await local.api.post(`/api/v1/runs/${ids.big}/tags`, {
      tags: Object.fromEntries(userTags.slice(start, start + 50)),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  const clientTags = { 'mlflow.note.content': note, 'stratus.host': host, 'zz-last-tag': 'last' };
  expect((await local.api.post(`/api/v1/runs/${ids.big}/tags`, { tags: clientTags })).status).toBe(200);
  expect((await local.api.patch(`/api/v1/runs/${ids.big}`, { status: 'FINISHED' })).status).toBe(200);

  const small = await local.api.post(`/api/v1/experiments/${ids.experiment}/runs`, { run_name: 'small' });
  ids.small = small.body.run_id;
  await local.api.post(`/api/v1/runs/${ids.small}/params`, { params: { [lastParam[0]]: 'another value' } });
  await local.api.patch(`/api/v1/runs/${ids.small}`, { status: 'FINISHED' });
}, 300_000);

afterAll(() => session?.close());

const open = (path: string): Promise<Opened> => openSignedIn(session.browser, local.stack.url, local.stack.token, path);

/** The keys the params card shows now (its rows, not the whole list). */
const shownParamKeys = (page: Page) => page.locator('#params tbody th').allTextContents();

// Each list page reads the whole run on the server: reading 10,000 params takes a dozen of them.
describe('a run past the first MiB of its params and tags', { timeout: 180_000 }, () => {
  test('its answer is truncated (the premise of this file)', async () => {
    const run = await local.api.get(`/api/v1/runs/${ids.big}`);
    expect(run.body.params_truncated).toBe(true);
    expect(run.body.tags_truncated).toBe(true);
    expect(Object.keys(run.body.params).length).toBeLessThan(paramCount);
    expect(Object.hasOwn(run.body.tags, 'stratus.host')).toBe(false);
  });

  test('its page counts and finds every param and tag, says the lists are partial until they are read, and renders 200 rows, not 10,000', async () => {
    const { page, problems, close } = await open(`/runs/${ids.big}?tab=overview`);
    try {
      await expect.poll(() => page.locator('#params').textContent(), eventually).toContain('Params (10,001)');
      await expect.poll(() => page.locator('.partial-notice').count(), eventually).toBe(0);
      // Usable: a few hundred rows in the DOM, the rest a filter or a button away.
      expect((await shownParamKeys(page)).length).toBe(200);
      expect(await page.locator('#params').textContent()).toContain('Showing 200 of 10,001 params');

      // The last key, past every page of the answer, and a key not in Latin letters, found by the filter.
      await page.getByLabel('Filter params by name').fill('ünïcödé');
      await expect.poll(() => shownParamKeys(page), eventually).toEqual([lastParam[0]]);
      expect(await page.locator('#params tbody td').textContent()).toBe(lastParam[1]);
      await page.getByLabel('Filter params by name').fill('学习率 09007');
      await expect.poll(() => shownParamKeys(page), eventually).toEqual([paramKey(9007)]);

      // A 6,000-character value shows its start, and whole on request.
      await page.getByLabel('Filter params by name').fill('layer_09950/');
      await expect.poll(() => shownParamKeys(page), eventually).toEqual([paramKey(9950)]);
      const value = page.locator('#params tbody td');
      expect((await value.textContent())?.length).toBeLessThan(400);
      await value.getByRole('button', { name: 'Show all 6,000 characters' }).click();
      await expect.poll(() => value.textContent(), eventually).toContain(paramValue(9950));

      // Tags: every user tag and the one past the first MiB; the clients' tags past it read as the note and the host.
      await expect.poll(() => page.locator('#tags').textContent(), eventually).toContain('Tags (191)');
      await page.getByLabel('Filter tags by name').fill('zz-last');
      await expect.poll(() => page.locator('#tags tbody th').allTextContents(), eventually).toEqual(['zz-last-tag']);
      expect(await page.locator('.description').textContent()).toContain(note);
      expect(await page.locator('#overview').textContent()).toContain(host);

      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('while its lists are read, the page says they are partial', async () => {
    const { page, close } = await open(`/runs/${ids.big}?tab=overview`);
    try {
      // Each page of the list waits: the notice must be on screen meanwhile, and the count said to be partial.
      await page.route('**/api/v1/runs/*/params?**', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await route.continue();
      });
      await page.reload();
      await expect
        .poll(() => page.locator('#params .partial-notice').textContent(), eventually)
        .toMatch(/Partial: this run has more params than its first answer carried/);
      expect(await page.locator('#params').textContent()).toMatch(/Params \([\d,]+ so far\)/);
      await expect
        .poll(() => page.locator('#params').textContent(), { ...eventually, timeout: 60_000 })
        .toContain('Params (10,001)');
      expect(await page.locator('#params .partial-notice').count()).toBe(0);
    } finally {
      await close();
    }
  });

  test('the runs table shows a param and a tag past the first MiB in their columns', async () => {
    const columns = [`params.${lastParam[0]}`, 'tags.zz-last-tag'].map((c) => `col=${encodeURIComponent(c)}`).join('&');
    const { page, problems, close } = await open(`/experiments/${ids.experiment}?${columns}`);
    try {
      const row = page.locator(`[data-run-id="${ids.big}"]`);
      await expect
        .poll(() => row.locator(`[data-column="params.${lastParam[0]}"]`).textContent(), eventually)
        .toBe(lastParam[1]);
      await expect.poll(() => row.locator('[data-column="tags.zz-last-tag"]').textContent(), eventually).toBe('last');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('the column picker lists a param and a tag only past the first MiB, read when it opens', async () => {
    const farParam = paramKey(9998);
    // The premise: neither key is in the run's answer, and no other run has them.
    const answer = await local.api.get(`/api/v1/runs/${ids.big}`);
    expect(Object.hasOwn(answer.body.params, farParam)).toBe(false);
    expect(Object.hasOwn(answer.body.tags, 'zz-last-tag')).toBe(false);
    const { page, problems, close } = await open(`/experiments/${ids.experiment}`);
    try {
      await expect.poll(() => page.locator(`[data-run-id="${ids.big}"]`).count(), eventually).toBe(1);
      const menu = page.locator('details.column-picker');
      await menu.locator('summary').click();
      const listed = () => menu.locator('label.checkbox').allTextContents();
      const search = menu.getByLabel('Find columns by name');
      await search.fill('zz-last');
      await expect.poll(listed, eventually).toEqual(['zz-last-tag']);
      await search.fill(farParam);
      await expect.poll(listed, eventually).toEqual([farParam]);
      await menu.getByRole('checkbox', { name: farParam }).check();
      await expect
        .poll(() => new URL(page.url()).searchParams.getAll('col'), eventually)
        .toContain(`params.${farParam}`);
      const cell = page.locator(`[data-run-id="${ids.big}"] [data-column="params.${farParam}"]`);
      await expect.poll(() => cell.textContent(), eventually).toBe(paramValue(9998));
      expect(await menu.locator('.column-note').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('compare finds any of its 10,000 params by name, renders 200 rows, and shows a long value by its start', async () => {
    const { page, problems, close } = await open(`/compare?runs=${ids.big},${ids.small}`);
    try {
      const rows = page.locator('#compare-params tbody tr');
      await expect.poll(() => rows.count(), eventually).toBe(200);
      await page.getByLabel('Filter params by name').fill('ünïcödé');
      await expect
        .poll(() => rows.allTextContents(), eventually)
        .toEqual([`${lastParam[0]}${lastParam[1]}another value`]);
      await page.getByLabel('Filter params by name').fill('layer_00050/');
      await expect.poll(() => rows.count(), eventually).toBe(1);
      expect((await rows.textContent())?.length).toBeLessThan(500);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

/**
 * Runs whose params pass 6 MB together (three of 100 params of 6,000 `"`, 4 bytes each in a function's
 * payload): the comparison's columns end before its bound and mark the runs with values past them; the
 * compare page reads those runs' params and shows every column, a run without the mark keeping its row.
 */
describe('a comparison past one answer', { timeout: 180_000 }, () => {
  test('compare shows every param of runs cut from its answer: the left-out columns are read from the runs', async () => {
    const quoted = (i: number) => `v${i}:`.padEnd(6000, '"');
    const fullParams = Array.from({ length: 100 }, (_, i) => [`p-${String(i).padStart(3, '0')}`, quoted(i)]);
    const runIds: string[] = [];
    for (let run = 0; run < 3; run++) {
      const created = await local.api.post('/api/v1/runs', { experiment_name: 'compare-past-one-answer' });
      for (let start = 0; start < fullParams.length; start += 50) {
        const params = Object.fromEntries(fullParams.slice(start, start + 50));
        expect((await local.api.post(`/api/v1/runs/${created.body.run_id}/params`, { params })).status).toBe(200);
      }
      runIds.push(created.body.run_id);
    }
    const last = await local.api.post('/api/v1/runs', {
      experiment_name: 'compare-past-one-answer',
      params: { 'z-last': 'only here' },
    });
    runIds.push(last.body.run_id);
    // The premise: the answer leaves columns out.
    const answer = await local.api.post('/api/v1/runs/compare', { run_ids: runIds });
    expect(answer.body.param_names.length).toBeLessThan(fullParams.length);
    expect(answer.body.runs.every((run: { params_truncated?: true }) => run.params_truncated)).toBe(true);

    const { page, problems, close } = await open(`/compare?runs=${runIds.join(',')}`);
    try {
      await expect.poll(() => page.locator('#compare-params').textContent(), eventually).toContain('Params (101)');
      const rows = page.locator('#compare-params tbody tr');
      await page.getByLabel('Filter params by name').fill('z-last');
      await expect.poll(() => rows.allTextContents(), eventually).toEqual(['z-last———only here']);
      await page.getByLabel('Filter params by name').fill('p-099');
      await expect.poll(() => rows.locator('td').allTextContents(), eventually).toHaveLength(4);
      const cells = await rows.locator('td').allTextContents();
      expect(cells.slice(0, 3).every((cell) => cell.startsWith('v99:""'))).toBe(true);
      expect(cells[3]).toBe('—');

      // Its CSV holds what it shows: every column, each cell whole (the API's CSV ends where its JSON does).
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download CSV' }).click();
      const [header, ...lines] = parseCsv(readFileSync(await (await download).path(), 'utf8'), 10);
      expect(header).toEqual([
        'run_id',
        'run_name',
        'status',
        'start_time',
        ...fullParams.map(([key]) => `params.${key}`),
        'params.z-last',
      ]);
      expect(lines.map((line) => line[0])).toEqual(runIds);
      for (const line of lines.slice(0, 3))
        expect(line.slice(4)).toEqual([...fullParams.map(([, value]) => value), '']);
      expect(lines[3]?.slice(4)).toEqual([...fullParams.map(() => ''), 'only here']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
