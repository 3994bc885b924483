import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiClient, type ApiClient, useTestStack } from '../support/local-api.ts';
import { type BrowserSession, type ColorScheme, launchChromium, newPage } from './browser.ts';
import { type DemoData, logPoints, randomSource, seedDemo } from './demo-data.ts';
import { type Opened, openSignedIn, photograph, seriousViolations } from './page-checks.ts';
import { ensureWebAppBuilt } from './web-build.ts';

/**
 * The web app in Debian's Chromium against the real local stack (DynamoDB
 * Local, versitygw, the Lambda handlers), seeded through the API. Each page
 * is also checked with axe-core (no serious or critical violation, light and
 * dark) and photographed; STRATUS_UPDATE_SCREENSHOTS=1 writes the photos to
 * docs/screenshots/ for the README, otherwise to .stratus/test-results/.
 */
const local = useTestStack();
let session: BrowserSession;
let demo: DemoData;
let bulkExperimentId: string;
let longRunId: string;
const longSteps = 20_000;
/** How long a UI change may take on a busy 2-core machine. */
const eventually = { timeout: 20_000, interval: 100 };
const bulkRuns = 1000;

async function parallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index] as T, index);
    }),
  );
}

/** 1,000 runs with a score, a learning rate and a model, for ordering and filtering; most of them ended. */
async function seedBulk(api: ApiClient) {
  const experiment = await api.post('/api/v1/experiments', {
    experiment_name: 'sweep-1000',
    description: 'Random search over learning rate and model family',
    tags: { team: 'research' },
  });
  const random = randomSource(11);
  const plans = Array.from({ length: bulkRuns }, (_, i) => ({
    i,
    score: Math.round(random() * 1e6) / 1e6,
    lr: [0.1, 0.01, 0.001][i % 3],
    model: ['mlp', 'cnn', 'gbm', 'svm'][i % 4],
  }));
  await parallel(plans, 8, async (plan) => {
    const run = await api.post(`/api/v1/experiments/${experiment.body.experiment_id}/runs`, {
      run_name: `sweep-${plan.i}`,
    });
    if (run.status !== 201) throw new Error(`create run: ${run.status}`);
    await api.post(`/api/v1/runs/${run.body.run_id}/params`, { params: { lr: plan.lr, model: plan.model } });
    await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
      metrics: [{ key: 'score', value: plan.score, step: 0 }],
    });
    // As in a real sweep: most runs ended, a few failed, a few still going.
    if (plan.i % 97 !== 0) {
      await api.patch(`/api/v1/runs/${run.body.run_id}`, { status: plan.i % 29 === 0 ? 'FAILED' : 'FINISHED' });
    }
  });
  return experiment.body.experiment_id as string;
}

beforeAll(async () => {
  ensureWebAppBuilt();
  session = await launchChromium();
  demo = await seedDemo(local.api, { runCount: 8, steps: 300 });
  bulkExperimentId = await seedBulk(local.api);
  const history = await local.api.post('/api/v1/experiments', {
    experiment_name: 'long-history',
    description: 'Pretraining with a loss logged at every step',
    tags: { team: 'research' },
  });
  const long = await local.api.post(`/api/v1/experiments/${history.body.experiment_id}/runs`, {
    run_name: 'twenty-thousand-steps',
  });
  longRunId = long.body.run_id;
  const random = randomSource(3);
  await logPoints(
    local.api,
    longRunId,
    Array.from({ length: longSteps }, (_, step) => ({
      key: 'loss',
      // A spike every 2,500 steps: downsampling must keep it.
      value: step % 2500 === 1234 ? 9 : Math.exp(-step / 4000) + random() * 0.05,
      step,
      timestamp: 1_700_000_000_000 + step * 100,
    })),
  );
  await local.api.patch(`/api/v1/runs/${longRunId}`, { status: 'FINISHED' });
}, 600_000);

afterAll(() => session?.close());

/** A signed-in page; console errors and CSP violations are collected, and must stay empty. */
const open = (path: string, colorScheme: ColorScheme = 'light', token = local.stack.token): Promise<Opened> =>
  openSignedIn(session.browser, local.stack.url, token, path, colorScheme);

const chart = (page: Page, metric: string) => page.locator(`.chart-area[data-metric="${metric}"]`);

async function readyChart(page: Page, metric: string) {
  const locator = chart(page, metric);
  await locator.scrollIntoViewIfNeeded();
  await page.waitForSelector(`.chart-area[data-metric="${metric}"][data-state="ready"]`);
  return locator;
}

async function apiPointCount(api: ApiClient, runId: string, metric: string, query: string) {
  const answer = await api.get(`/api/v1/runs/${runId}/metrics/${metric}?${query}`);
  expect(answer.status).toBe(200);
  return { count: answer.body.points.length as number, downsampled: answer.body.downsampled as boolean };
}

describe('sign-in', () => {
  test("a wrong token gets the sign-in page saying so in words, not in the API's; a good one signs in", async () => {
    const { context, page } = await newPage(session.browser);
    try {
      await page.goto(`${local.stack.url}/experiments`);
      await page.waitForSelector('form input[name="token"]');
      expect(new URL(page.url()).pathname).toBe('/signin');
      const wrong = `stratus_${'0'.repeat(16)}_${'A'.repeat(43)}`;
      const apiAnswer = await apiClient(local.stack.url, wrong).get('/api/v1/experiments');
      expect(apiAnswer.status).toBe(401);
      await page.fill('input[name="token"]', wrong);
      await page.click('button[type="submit"]');
      const alert = page.locator('#signin-error');
      await alert.waitFor();
      expect(apiAnswer.body.error.message).toBe('a valid bearer token is required');
      expect(await alert.textContent()).toBe(
        'Stratus did not accept this token: it may be mistyped, revoked, or made for another Stratus.',
      );
      await page.fill('input[name="token"]', local.stack.token);
      await page.click('button[type="submit"]');
      await page.waitForSelector('h1:text("Experiments")');
      expect(new URL(page.url()).pathname).toBe('/experiments');
    } finally {
      await context.close();
    }
  });

  test("npm start's link signs in and the token leaves the address bar at once", async () => {
    const { context, page } = await newPage(session.browser);
    try {
      await page.goto(`${local.stack.url}/#token=${local.stack.token}`);
      await page.waitForSelector('.topbar');
      expect(page.url()).not.toContain('token');
      expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('stratus.token'))).toBe(
        local.stack.token,
      );
    } finally {
      await context.close();
    }
  });

  test('a revoked token on a later call returns to sign-in with the API message', async () => {
    const created = await local.api.post('/api/v1/admin/tokens', { scope: 'read', name: 'soon-revoked' });
    const opened = await open('/experiments', 'light', created.body.token);
    try {
      await opened.page.waitForSelector('table[aria-label="Experiments"] tbody tr');
      await local.api.delete(`/api/v1/admin/tokens/${created.body.token_id}`);
      // The test stack trusts a token record for 30 s; a fresh stack would answer at once, so ask the API what it says now.
      const later = await apiClient(local.stack.url, created.body.token).get('/api/v1/experiments');
      if (later.status === 401) {
        await opened.page.reload();
        await opened.page.waitForSelector('#signin-error');
        expect(await opened.page.locator('#signin-error').textContent()).toBe(later.body.error.message);
      } else {
        expect(later.status).toBe(200);
      }
    } finally {
      await opened.close();
    }
  });

  test('a read token is told which scope adding a tag needs', async () => {
    const created = await local.api.post('/api/v1/admin/tokens', { scope: 'read', name: 'reader' });
    const opened = await open(`/runs/${demo.showcase.runId}?tab=overview`, 'light', created.body.token);
    try {
      await opened.page.fill('input[aria-label="New tag key"]', 'reviewed');
      await opened.page.fill('input[aria-label="New tag value"]', 'yes');
      await opened.page.click('button:text("Add tag")');
      const alert = opened.page.locator('#tags [role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/needs a write token/);
    } finally {
      await opened.close();
    }
  });
});

describe('experiments', () => {
  test('lists experiments; search by name and filter by tag', async () => {
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      const rows = page.locator('table[aria-label="Experiments"] tbody tr');
      await rows.first().waitFor();
      const names = await page.locator('table[aria-label="Experiments"] tbody tr td:first-child a').allTextContents();
      expect(names).toEqual(
        expect.arrayContaining(['risk_prediction', 'image-classifier', 'churn-forecast', 'llm-summaries']),
      );
      // Run counts and last activity come from the API's experiment list.
      const risk = page.locator('table[aria-label="Experiments"] tbody tr', { hasText: 'risk_prediction' });
      expect(await risk.locator('td.num').textContent()).toBe(String(demo.runs.length));
      expect(await risk.locator('td').nth(3).textContent()).not.toBe('no runs yet');
      await page.fill('input[aria-label="Search experiments by name"]', 'CHURN');
      await expect
        .poll(
          () => page.locator('table[aria-label="Experiments"] tbody tr td:first-child a').allTextContents(),
          eventually,
        )
        .toEqual(['churn-forecast']);
      expect(new URL(page.url()).searchParams.get('q')).toBe('CHURN');
      await page.fill('input[aria-label="Search experiments by name"]', '');
      await page.fill('input[aria-label^="Filter by tags"]', 'team=clinical-ml');
      await page.press('input[aria-label^="Filter by tags"]', 'Enter');
      await expect
        .poll(
          async () =>
            (await page.locator('table[aria-label="Experiments"] tbody tr td:first-child a').allTextContents()).sort(),
          eventually,
        )
        .toEqual(['llm-summaries', 'risk_prediction']);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('creates an experiment and lands on its runs', async () => {
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      await page.click('button:text("New experiment")');
      await page.fill('dialog input[type="text"]', 'created-in-the-ui');
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector('h1:text("created-in-the-ui")');
      const stored = await local.api.get('/api/v1/experiments/by-name/created-in-the-ui');
      expect(new URL(page.url()).pathname).toBe(`/experiments/${stored.body.experiment_id}`);
    } finally {
      await opened.close();
    }
  });
});

describe('runs table', () => {
  const rowNames = (page: Page) => page.locator('.grid-body .grid-row [role="cell"]:nth-child(3)').allTextContents();

  test('orders 1,000 runs by a metric as the API does, and filters them', async () => {
    const opened = await open(`/experiments/${bulkExperimentId}?col=metrics.score&col=params.lr&col=params.model`);
    const { page } = opened;
    try {
      await page.waitForSelector('.grid-body .grid-row');
      await page.click('.grid-head button:has-text("score")');
      await expect.poll(() => new URL(page.url()).searchParams.get('order'), eventually).toBe('metrics.score DESC');
      const expected = await local.api.post('/api/v1/runs/search', {
        experiment_ids: [bulkExperimentId],
        order_by: ['metrics.score DESC'],
        max_results: 10,
      });
      const expectedNames = expected.body.runs.map((run: { run_name: string }) => run.run_name);
      await expect.poll(async () => (await rowNames(page)).slice(0, 10), eventually).toEqual(expectedNames);

      // Every page arrives as the table scrolls to its end.
      const grid = page.locator('.runs-grid');
      await expect
        .poll(async () => {
          await grid.evaluate((element) => element.scrollTo(0, element.scrollHeight));
          return page.locator('[data-testid="run-count"]').textContent();
        }, eventually)
        .toBe('1,000 runs');

      const filter = "metrics.score > 0.5 AND params.model = 'cnn'";
      let matching = 0;
      let token: string | undefined;
      do {
        const answer = await local.api.post('/api/v1/runs/search', {
          experiment_ids: [bulkExperimentId],
          filter,
          max_results: 1000,
          ...(token ? { page_token: token } : {}),
        });
        matching += answer.body.runs.length;
        token = answer.body.next_page_token;
      } while (token);
      await page.fill('input[aria-label="Filter runs (MLflow syntax)"]', filter);
      await page.press('input[aria-label="Filter runs (MLflow syntax)"]', 'Enter');
      await expect
        .poll(() => page.locator('[data-testid="run-count"]').textContent(), eventually)
        .toBe(`${matching} runs`);
      expect(matching).toBeGreaterThan(50);
      expect(new URL(page.url()).searchParams.get('filter')).toBe(filter);
      const models = await page.locator('.grid-body .grid-row [role="cell"]:nth-child(8)').allTextContents();
      expect(new Set(models)).toEqual(new Set(['cnn']));
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('a filter or an order keeps the default columns; one that matches nothing leaves them to choose', async () => {
    const headers = (page: Page) =>
      page
        .locator('.grid-head [role="columnheader"][data-column]')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-column')));
    const filterBox = 'input[aria-label="Filter runs (MLflow syntax)"]';
    // Over all runs model varies most (4 values to lr's 3); among the cnn runs it is constant, so the
    // filtered runs alone would put lr first.
    const opened = await open(`/experiments/${bulkExperimentId}`);
    const { page } = opened;
    let unfiltered: Array<string | null> = [];
    try {
      await page.waitForSelector('.grid-body .grid-row');
      unfiltered = await headers(page);
      expect(unfiltered.filter((id) => /^(metrics|params)\./.test(id ?? ''))).toEqual([
        'metrics.score',
        'params.model',
        'params.lr',
      ]);
      const cnn = await local.api.post('/api/v1/runs/search', {
        experiment_ids: [bulkExperimentId],
        filter: "params.model = 'cnn'",
        max_results: 3,
      });
      await page.fill(filterBox, "params.model = 'cnn'");
      await page.press(filterBox, 'Enter');
      await expect
        .poll(async () => (await rowNames(page)).slice(0, 3), eventually)
        .toEqual(cnn.body.runs.map((run: { run_name: string }) => run.run_name));
      expect(await headers(page)).toEqual(unfiltered);
      await page.fill(filterBox, 'metrics.score > 2');
      await page.press(filterBox, 'Enter');
      await expect.poll(() => page.locator('.grid-body .grid-row').count(), eventually).toBe(0);
      expect(await page.locator('summary:has-text("Columns")').textContent()).toBe('Columns (3)');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
    // Opened by a link, the default view is read once for them.
    const linked = await open(
      `/experiments/${bulkExperimentId}?filter=${encodeURIComponent("params.model = 'cnn'")}&order=${encodeURIComponent('metrics.score ASC')}`,
    );
    try {
      await linked.page.waitForSelector('.grid-body .grid-row');
      await expect.poll(() => headers(linked.page), eventually).toEqual(unfiltered);
      expect(linked.problems).toEqual([]);
    } finally {
      await linked.close();
    }
  });

  test('a bad filter shows the API message with a caret at its position', async () => {
    const bad = 'metrics.score >> 0.5';
    const answer = await local.api.post('/api/v1/runs/search', { experiment_ids: [bulkExperimentId], filter: bad });
    expect(answer.status).toBe(400);
    const position = Number(/at position (\d+)/.exec(answer.body.error.message)?.[1]);
    expect(Number.isInteger(position)).toBe(true);
    const opened = await open(`/experiments/${bulkExperimentId}`);
    const { page } = opened;
    try {
      await page.fill('input[aria-label="Filter runs (MLflow syntax)"]', bad);
      await page.press('input[aria-label="Filter runs (MLflow syntax)"]', 'Enter');
      const error = page.locator('#filter-error');
      await error.waitFor();
      expect(await error.locator('.message').textContent()).toBe(answer.body.error.message);
      expect(await error.getAttribute('data-position')).toBe(String(position));
      expect(await error.locator('.caret-line').textContent()).toBe(`${' '.repeat(position)}^`);
      // The cursor is put on the offending character.
      expect(
        await page
          .locator('input[aria-label="Filter runs (MLflow syntax)"]')
          .evaluate((input: any) => input.selectionStart),
      ).toBe(position);
    } finally {
      await opened.close();
    }
  });

  test('a deep link restores filter, order, columns and selection', async () => {
    const ids = demo.runs.slice(0, 2).map((run) => run.runId);
    const path = `/experiments/${demo.experimentId}?filter=${encodeURIComponent("params.model_type = 'xgboost'")}&order=${encodeURIComponent('metrics.accuracy ASC')}&col=metrics.accuracy&sel=${ids.join(',')}`;
    const opened = await open(path);
    const { page } = opened;
    try {
      await page.waitForSelector('.grid-body .grid-row');
      expect(await page.inputValue('input[aria-label="Filter runs (MLflow syntax)"]')).toBe(
        "params.model_type = 'xgboost'",
      );
      expect(await page.locator('.grid-head [role="columnheader"][aria-sort="ascending"]').textContent()).toContain(
        'accuracy',
      );
      const expected = await local.api.post('/api/v1/runs/search', {
        experiment_ids: [demo.experimentId],
        filter: "params.model_type = 'xgboost'",
        order_by: ['metrics.accuracy ASC'],
      });
      await expect
        .poll(() => rowNames(page), eventually)
        .toEqual(expected.body.runs.map((run: { run_name: string }) => run.run_name));
      expect(await page.locator('.actions .muted').first().textContent()).toBe('2 selected');
    } finally {
      await opened.close();
    }
  });
});

describe('run page', () => {
  test('a chart holds exactly the points the API answers for its max_points', async () => {
    const opened = await open(`/runs/${longRunId}`);
    const { page } = opened;
    try {
      const loss = await readyChart(page, 'loss');
      const maxPoints = Number(await loss.getAttribute('data-max-points'));
      expect(maxPoints).toBeGreaterThan(100);
      const api = await apiPointCount(local.api, longRunId, 'loss', `max_points=${maxPoints}`);
      expect(api.downsampled).toBe(true);
      expect(Number(await loss.getAttribute('data-points'))).toBe(api.count);
      expect(await loss.getAttribute('data-downsampled')).toBe('true');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('the run link the mlflow client prints opens the run page', async () => {
    const experimentId = (await local.api.get(`/api/v1/runs/${longRunId}`)).body.experiment_id as string;
    const opened = await open(`/#/experiments/${experimentId}/runs/${longRunId}`);
    try {
      await readyChart(opened.page, 'loss');
      expect(new URL(opened.page.url()).pathname).toBe(`/runs/${longRunId}`);
      expect(new URL(opened.page.url()).hash).toBe('');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('zooming re-fetches the step range at full detail', async () => {
    const opened = await open(`/runs/${longRunId}`);
    const { page } = opened;
    try {
      const loss = await readyChart(page, 'loss');
      const over = loss.locator('.u-over');
      const box = await over.boundingBox();
      if (!box) throw new Error('no plot area');
      const refetch = page.waitForRequest(
        (request) => request.url().includes('/metrics/loss') && request.url().includes('start_step='),
      );
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.53, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      const request = new URL((await refetch).url());
      const start = Number(request.searchParams.get('start_step'));
      const end = Number(request.searchParams.get('end_step'));
      expect(end).toBeGreaterThan(start);
      expect(end - start).toBeLessThan(longSteps / 20);
      await page.waitForSelector(`.chart-area[data-metric="loss"][data-range="${start}..${end}"][data-state="ready"]`);
      const maxPoints = Number(await loss.getAttribute('data-max-points'));
      const api = await apiPointCount(
        local.api,
        longRunId,
        'loss',
        `max_points=${maxPoints}&start_step=${start}&end_step=${end}`,
      );
      expect(api.downsampled).toBe(false);
      expect(api.count).toBe(end - start + 1);
      expect(Number(await loss.getAttribute('data-points'))).toBe(api.count);
      expect(await loss.getAttribute('data-downsampled')).toBe('false');
      // The zoom is part of the URL, and a reset goes back to the whole history.
      const url = new URL(page.url());
      expect(url.searchParams.get('metric')).toBe('loss');
      expect(url.searchParams.get('zoom')).toBe(`${start}..${end}`);
      await page.click('button:text("Reset zoom")');
      await page.waitForSelector('.chart-area[data-metric="loss"][data-range="all"][data-state="ready"]');
      // The keyboard zooms too: + halves the range around its middle.
      const [first, last] = ((await loss.getAttribute('data-extent')) ?? '').split('..').map(Number) as [
        number,
        number,
      ];
      // Min/max buckets need not keep the very first and last steps, only each bucket's extremes.
      expect(first).toBeLessThan(longSteps * 0.01);
      expect(last).toBeGreaterThan(longSteps * 0.99);
      const halved = `${Math.round(first + (last - first) / 4)}..${Math.round(last - (last - first) / 4)}`;
      await loss.focus();
      await page.keyboard.press('+');
      await expect.poll(() => new URL(page.url()).searchParams.get('zoom'), eventually).toBe(halved);
      await page.waitForSelector(`.chart-area[data-metric="loss"][data-range="${halved}"][data-state="ready"]`);
    } finally {
      await opened.close();
    }
  });

  test('a zoom deep link opens the chart at that range', async () => {
    const opened = await open(`/runs/${longRunId}?metric=loss&zoom=1200..1300`);
    try {
      const loss = await readyChart(opened.page, 'loss');
      expect(await loss.getAttribute('data-range')).toBe('1200..1300');
      expect(await loss.getAttribute('data-points')).toBe('101');
    } finally {
      await opened.close();
    }
  });

  test('a RUNNING run refreshes its charts while it runs', async () => {
    const running = demo.runs[demo.runs.length - 1] as { runId: string };
    const opened = await open(`/runs/${running.runId}`);
    const { page } = opened;
    try {
      const accuracy = await readyChart(page, 'accuracy');
      const before = Number(await accuracy.getAttribute('data-points'));
      await local.api.post(`/api/v1/runs/${running.runId}/metrics`, {
        metrics: Array.from({ length: 25 }, (_, i) => ({ key: 'accuracy', value: 0.9, step: 10_000 + i })),
      });
      await expect
        .poll(async () => Number(await accuracy.getAttribute('data-points')), { timeout: 15_000 })
        .toBe(before + 25);
      await local.api.patch(`/api/v1/runs/${running.runId}`, { status: 'FINISHED' });
      await page.waitForSelector('h1 .status.FINISHED', { timeout: 15_000 });
    } finally {
      await opened.close();
    }
  });

  test('previews a PNG and a CSV artifact through presigned URLs', async () => {
    const opened = await open(`/runs/${demo.showcase.runId}`);
    await opened.page.click('[role="tab"]:text("Artifacts")');
    const { page } = opened;
    try {
      // Folders open as a file browser's do, one level read each.
      await page.click('.artifact-tree button[data-folder="plots"]');
      await page.click('.artifact-tree button[data-path="plots/confusion_matrix.png"]');
      const image = page.locator('.artifact-preview img');
      await image.waitFor();
      await expect
        .poll(() => image.evaluate((element: any) => element.complete && element.naturalWidth), eventually)
        .toBe(192);
      expect(await image.getAttribute('src')).toMatch(/X-Amz-Signature=/);

      await page.click('.artifact-tree button[data-folder="reports"]');
      await page.click('.artifact-tree button[data-path="reports/cross_validation.csv"]');
      const table = page.locator('.artifact-preview table.csv-preview');
      await table.waitFor();
      expect(await table.locator('thead th').allTextContents()).toEqual([
        'fold',
        'accuracy',
        'precision',
        'recall',
        'f1',
      ]);
      expect(await table.locator('tbody tr').count()).toBe(5);

      await page.click('.artifact-tree button[data-path="reports/metrics.json"]');
      await page.waitForSelector('.artifact-preview[data-preview-kind="json"] pre');
      expect(await page.locator('.artifact-preview pre').textContent()).toContain('"high_risk": 0.7');

      await page.click('.artifact-tree button[data-path="README.md"]');
      await page.waitForSelector('.artifact-preview .markdown h1');
      expect(await page.locator('.artifact-preview .markdown table td').first().textContent()).toBe('train');
      expect(new URL(page.url()).searchParams.get('artifact')).toBe('README.md');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('tags can be added and edited', async () => {
    const opened = await open(`/runs/${demo.showcase.runId}?tab=overview`);
    const { page } = opened;
    try {
      await page.fill('input[aria-label="New tag key"]', 'reviewed_by');
      await page.fill('input[aria-label="New tag value"]', 'ana');
      await page.click('button:text("Add tag")');
      await page.click('button[aria-label="Edit tag reviewed_by"]');
      await page.fill('input[aria-label="New value for reviewed_by"]', 'ana, bo');
      await page.click('#tags button:text("Save")');
      await expect
        .poll(
          async () => (await local.api.get(`/api/v1/runs/${demo.showcase.runId}`)).body.tags.reviewed_by,
          eventually,
        )
        .toBe('ana, bo');
    } finally {
      await opened.close();
    }
  });
});

describe('compare', () => {
  test('three runs chosen in the table: overlaid charts, params, scatter, CSV', async () => {
    const opened = await open(`/experiments/${demo.experimentId}`);
    const { page } = opened;
    try {
      await page.waitForSelector('.grid-body .grid-row');
      const chosen = demo.runs.slice(0, 3);
      for (const run of chosen) await page.check(`.grid-row[data-run-id="${run.runId}"] input[type="checkbox"]`);
      await page.click('button:text("Compare")');
      await page.waitForSelector('h1:text("Compare 3 runs")');
      expect(new Set(new URL(page.url()).searchParams.get('runs')?.split(','))).toEqual(
        new Set(chosen.map((run) => run.runId)),
      );

      const accuracy = await readyChart(page, 'accuracy');
      const legend = await accuracy.locator('.u-legend .u-series').count();
      expect(legend).toBe(4); // x, then one per run
      let expectedPoints = 0;
      for (const run of chosen) {
        expectedPoints += (
          await apiPointCount(
            local.api,
            run.runId,
            'accuracy',
            `max_points=${await accuracy.getAttribute('data-max-points')}`,
          )
        ).count;
      }
      expect(Number(await accuracy.getAttribute('data-points'))).toBe(expectedPoints);

      const paramRows = () => page.locator('table[aria-label="Params by run"] tbody th').allTextContents();
      // Three runs' columns take the row's whole width (half of it cut off the third run's).
      const [paramsCard, parallelCard] = await Promise.all(
        ['#compare-params', '#parallel'].map((id) => page.locator(id).boundingBox()),
      );
      expect(paramsCard?.width).toBeCloseTo(parallelCard?.width ?? 0, 0);
      expect(await paramRows()).toContain('seed');
      await page.check('text=Hide equal values');
      await expect.poll(paramRows, eventually).not.toContain('seed');
      expect(await paramRows()).toContain('learning_rate');

      expect(await page.locator('.scatter circle').count()).toBe(3);

      const download = page.waitForEvent('download');
      await page.click('button:text("Download CSV")');
      const file = await (await download).path();
      const text = readFileSync(file, 'utf8');
      // Written in the page from what it holds, it is the API's CSV to the byte when nothing was cut.
      const fromApi = await local.api.post(
        '/api/v1/runs/compare',
        { run_ids: new URL(page.url()).searchParams.get('runs')?.split(','), only_differing_params: true },
        { accept: 'text/csv' },
      );
      expect(text).toBe(fromApi.body);
      const csv = text.trim().split(/\r?\n/);
      expect(csv[0]).toMatch(/^run_id,run_name,status,start_time,metrics\.accuracy/);
      expect(csv[0]).not.toContain('params.seed');
      expect(
        csv
          .slice(1)
          .map((line) => line.split(',')[0])
          .sort(),
      ).toEqual(chosen.map((run) => run.runId).sort());
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('parallel coordinates: an axis per differing param, the metric last, a line per run in its colour', async () => {
    const experiment = await local.api.post('/api/v1/experiments', { experiment_name: `parallel-${Date.now()}` });
    const plans = [
      { lr: '0.0001', optimizer: 'adam', accuracy: 0.5, loss: 0.9 },
      { lr: '0.001', optimizer: 'sgd', accuracy: 0.9, loss: 0.2 },
      { lr: '0.01', optimizer: 'adam', accuracy: 0.7, loss: 0.4 },
      { lr: '0.1', optimizer: 'sgd', accuracy: 0.6, loss: 0.5 },
    ];
    const runIds: string[] = [];
    for (const [i, plan] of plans.entries()) {
      const run = await local.api.post(`/api/v1/experiments/${experiment.body.experiment_id}/runs`, {
        run_name: `trial-${i}`,
        params: { lr: plan.lr, optimizer: plan.optimizer, seed: '42' },
        metrics: [
          { key: 'accuracy', value: plan.accuracy, step: 0 },
          { key: 'loss', value: plan.loss, step: 0 },
        ],
      });
      expect(run.status).toBe(201);
      runIds.push(run.body.run_id as string);
    }
    const opened = await open(`/compare?runs=${runIds.join(',')}&pm=accuracy`);
    const { page } = opened;
    try {
      const card = page.locator('#parallel');
      await card.locator('path.parallel-line').first().waitFor();
      // `seed` is equal in every run: no axis for it.
      expect(await card.locator('.parallel-axis .axis-title title').allTextContents()).toEqual([
        'lr',
        'optimizer',
        'accuracy',
      ]);
      const lines = card.locator('path.parallel-line');
      expect(await lines.count()).toBe(4);
      const vertices = async () =>
        Object.fromEntries(
          await lines.evaluateAll((paths) =>
            paths.map((path) => [
              path.getAttribute('data-run'),
              [...(path.getAttribute('d') ?? '').matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => Number(m[2])),
            ]),
          ),
        ) as Record<string, number[]>;
      const ys = await vertices();
      // The best accuracy ends highest (smallest y), the worst lowest.
      const byEnd = Object.keys(ys).sort((a, b) => (ys[a]?.[2] ?? 0) - (ys[b]?.[2] ?? 0));
      expect(byEnd).toEqual(['trial-1', 'trial-2', 'trial-3', 'trial-0']);
      // A learning rate swept in decades gets a log axis: the four runs evenly apart on it.
      const lrYs = ['trial-0', 'trial-1', 'trial-2', 'trial-3'].map((run) => ys[run]?.[0] ?? 0);
      const gaps = lrYs.slice(1).map((y, i) => (lrYs[i] as number) - y);
      for (const gap of gaps) expect(Math.abs(gap - (gaps[0] as number))).toBeLessThan(1);
      // Categories: both adam runs meet at one point of the optimizer axis.
      expect(ys['trial-0']?.[1]).toBe(ys['trial-2']?.[1]);
      expect(ys['trial-0']?.[1]).not.toBe(ys['trial-1']?.[1]);

      await lines.nth(1).dispatchEvent('mouseenter');
      await expect
        .poll(() => card.locator('figcaption').textContent(), eventually)
        .toMatch(/^trial-\d: lr = [\d.]+, optimizer = \w+, accuracy = [\d.]+$/);
      expect(await seriousViolations(page)).toEqual([]);

      await card.locator('select').selectOption('loss');
      await expect.poll(() => new URL(page.url()).searchParams.get('pm'), eventually).toBe('loss');
      await expect
        .poll(() => card.locator('.parallel-axis .axis-title title').last().textContent(), eventually)
        .toBe('loss');
      const byLoss = await vertices();
      expect(Object.keys(byLoss).sort((a, b) => (byLoss[a]?.[2] ?? 0) - (byLoss[b]?.[2] ?? 0))).toEqual([
        'trial-0',
        'trial-3',
        'trial-2',
        'trial-1',
      ]);
      await photograph(page, 'compare-parallel', 'light');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('accessibility, keyboard and screenshots', () => {
  const pages = () => [
    { name: 'experiments', path: '/experiments', ready: 'table[aria-label="Experiments"] tbody tr' },
    {
      name: 'runs',
      path: `/experiments/${demo.experimentId}?col=metrics.accuracy&col=metrics.loss&col=params.learning_rate&col=params.max_depth&col=params.model_type`,
      ready: '.grid-body .grid-row',
    },
    {
      name: 'runs-many',
      path: `/experiments/${bulkExperimentId}?col=metrics.score&col=params.lr&col=params.model&order=metrics.score%20DESC`,
      ready: '.grid-body .grid-row',
    },
    { name: 'run-overview', path: `/runs/${demo.showcase.runId}?tab=overview`, ready: '#overview' },
    { name: 'run-charts', path: `/runs/${demo.showcase.runId}?smooth=0.6`, ready: '.chart-area[data-state="ready"]' },
    {
      name: 'run-artifacts',
      path: `/runs/${demo.showcase.runId}?tab=artifacts&artifact=plots/confusion_matrix.png`,
      ready: '.artifact-preview img',
    },
    {
      // A 20,000-step history zoomed around one of its spikes: the range re-fetched at full detail.
      name: 'run-zoom',
      path: `/runs/${longRunId}?metric=loss&zoom=8000..9500`,
      ready: '.chart-area[data-range="8000..9500"][data-state="ready"]',
    },
    {
      name: 'compare',
      path: `/compare?runs=${demo.runs
        .slice(0, 4)
        .map((run) => run.runId)
        .join(',')}`,
      ready: '.chart-area[data-state="ready"]',
    },
  ];

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`every page has no serious or critical axe violation (${colorScheme})`, async () => {
      const failures: string[] = [];
      for (const view of pages()) {
        const opened = await open(view.path, colorScheme);
        try {
          await opened.page.waitForSelector(view.ready);
          await opened.page.waitForTimeout(300);
          failures.push(...(await seriousViolations(opened.page)).map((problem) => `${view.name}: ${problem}`));
          await photograph(opened.page, view.name, colorScheme);
          failures.push(...opened.problems.map((problem) => `${view.name}: console: ${problem}`));
        } finally {
          await opened.close();
        }
      }
      const { context, page } = await newPage(session.browser, colorScheme);
      try {
        await page.goto(`${local.stack.url}/signin`);
        await page.waitForSelector('input[name="token"]');
        failures.push(...(await seriousViolations(page)).map((problem) => `signin: ${problem}`));
        await photograph(page, 'signin', colorScheme);
      } finally {
        await context.close();
      }
      expect(failures).toEqual([]);
    });
  }

  test('the keyboard reaches a run from the experiments list', async () => {
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      await page.waitForSelector('table[aria-label="Experiments"] tbody tr');
      let reached = false;
      for (let i = 0; i < 30 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached =
          (await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)) === 'risk_prediction';
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForSelector('.grid-body .grid-row');
      let onRun = false;
      for (let i = 0; i < 40 && !onRun; i++) {
        await page.keyboard.press('Tab');
        onRun = (
          await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('href') ?? '')
        ).startsWith('/runs/');
      }
      expect(onRun).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[role="tablist"]');
      expect(new URL(page.url()).pathname).toMatch(/^\/runs\//);
      // The tabs follow the arrow keys.
      await page.focus('[role="tab"][aria-selected="true"]');
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => new URL(page.url()).searchParams.get('tab'), eventually).toBe('artifacts');
    } finally {
      await opened.close();
    }
  });
});
