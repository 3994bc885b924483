import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiClient, useTestStack } from '../support/local-api.ts';
import { type BrowserSession, launchChromium, newPage, signInByLink } from './browser.ts';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { logPoints } from './demo-data.ts';
import { type Opened, openSignedIn, seriousViolations } from './page-checks.ts';
import { ensureWebAppBuilt } from './web-build.ts';

/**
 * What a data scientist coming from MLflow runs into when the runs were logged
 * by MLflow's client: notes kept as tags, nested runs, metrics logged once or
 * spanning many decades, a phone, stale links. Debian's Chromium against the
 * local stack, data logged through the API (MLflow's routes where MLflow's
 * client would write).
 */
const local = useTestStack();
let session: BrowserSession;
const eventually = { timeout: 20_000, interval: 100 };
const ids = {} as {
  experiment: string;
  curves: string;
  once: string;
  parent: string;
  trials: string[];
};

// MLflow's notes are free text over several lines (its UI edits them as markdown).
const note = 'Learning-rate sweep on CIFAR-10.\nBaseline: resnet18, 30 epochs.';
const runNote = 'Diverged after warm-up; kept for the record.';
const gitCommit = '3f9c2e1d0b7a6958473625140f1e2d3c4b5a6978';

async function mlflow(path: string, body: unknown) {
  const answer = await local.api.post(`/api/2.0/mlflow/${path}`, body);
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

beforeAll(async () => {
  ensureWebAppBuilt();
  session = await launchChromium();
  // As `mlflow.set_experiment` + `MlflowClient.set_experiment_tag` leave it: the description is the note tag.
  const created = await mlflow('experiments/create', { name: 'cifar10-sweep' });
  ids.experiment = created.experiment_id;
  await mlflow('experiments/set-experiment-tag', {
    experiment_id: ids.experiment,
    key: 'mlflow.note.content',
    value: note,
  });
  await mlflow('experiments/set-experiment-tag', { experiment_id: ids.experiment, key: 'team', value: 'vision' });

  const start = Date.now() - 60_000;
  const curves = await mlflow('runs/create', {
    experiment_id: ids.experiment,
    run_name: 'wide-ranges',
    start_time: start,
    tags: [
      { key: 'mlflow.note.content', value: runNote },
      { key: 'mlflow.user', value: 'ada' },
      { key: 'mlflow.source.git.commit', value: gitCommit },
    ],
  });
  ids.curves = curves.run.info.run_id;
  await local.api.post(`/api/v1/runs/${ids.curves}/params`, {
    params: {
      zeta: 1,
      alpha: 2,
      a_very_long_parameter_name_for_the_feature_selection_strategy_of_this_sweep: 'recursive_elimination',
    },
  });
  // Values of 1e8 and 1e-5 (labels that overflowed a fixed axis) and a learning rate over four decades (log scale).
  await logPoints(
    local.api,
    ids.curves,
    Array.from({ length: 40 }, (_, step) => [
      { key: 'tokens_seen', value: 2.5e8 * (step + 1), step, timestamp: start + step * 1000 },
      { key: 'grad_norm', value: 2.5e-5 / (step + 1), step, timestamp: start + step * 1000 },
      { key: 'lr', value: 0.1 * 10 ** (-step / 10), step, timestamp: start + step * 1000 },
    ]).flat(),
  );
  await local.api.patch(`/api/v1/runs/${ids.curves}`, { status: 'FINISHED' });

  const once = await local.api.post(`/api/v1/experiments/${ids.experiment}/runs`, { run_name: 'logged-once' });
  ids.once = once.body.run_id;
  await logPoints(local.api, ids.once, [{ key: 'best_accuracy', value: 0.93, step: 7, timestamp: start }]);
  await local.api.patch(`/api/v1/runs/${ids.once}`, { status: 'FINISHED' });

  // A sweep as `with mlflow.start_run(): with mlflow.start_run(nested=True): ...` logs it: trials tagged mlflow.parentRunId.
  const parent = await mlflow('runs/create', {
    experiment_id: ids.experiment,
    // A name long enough to be cut when the Run column gets only its minimum width.
    run_name: 'ResNet50-ImageNet-LR-sweep',
    start_time: start + 1000,
  });
  ids.parent = parent.run.info.run_id;
  ids.trials = [];
  for (const [index, accuracy] of [0.91, 0.97, 0.84].entries()) {
    const trial = await mlflow('runs/create', {
      experiment_id: ids.experiment,
      run_name: `trial-${index}`,
      start_time: start + 2000 + index * 1000,
      tags: [{ key: 'mlflow.parentRunId', value: ids.parent }],
    });
    ids.trials.push(trial.run.info.run_id);
    await mlflow('runs/log-metric', {
      run_id: trial.run.info.run_id,
      key: 'val_accuracy',
      value: accuracy,
      timestamp: start,
      step: 0,
    });
  }
}, 180_000);

afterAll(() => session?.close());

const open = (path: string): Promise<Opened> => openSignedIn(session.browser, local.stack.url, local.stack.token, path);

async function readyChart(page: Page, metric: string) {
  const area = page.locator(`.chart-area[data-metric="${metric}"]`);
  await area.scrollIntoViewIfNeeded();
  await page.waitForSelector(`.chart-area[data-metric="${metric}"][data-state="ready"] canvas`);
  return area;
}

/** What the chart's canvas shows: where the plot starts, and which pixels are drawn (alpha > 0). */
async function canvasInk(page: Page, metric: string) {
  return page.evaluate((key) => {
    // Runs in the page (the DOM's types are not in this project's lib).
    const area = (globalThis as any).document.querySelector(`.chart-area[data-metric="${key}"]`);
    const canvas = area.querySelector('canvas');
    const over = area.querySelector('.u-over');
    const pixels: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const inked = (x: number, y: number) => (pixels[(y * canvas.width + x) * 4 + 3] as number) > 0;
    return {
      width: canvas.width,
      height: canvas.height,
      plotLeft: over.offsetLeft,
      plotTop: over.offsetTop,
      plotWidth: over.offsetWidth,
      plotHeight: over.offsetHeight,
      /** Rows with ink in the strip left of the plot where y labels go (ticks excluded). */
      labelRows: Array.from({ length: canvas.height }, (_, y) => {
        for (let x = 0; x < over.offsetLeft - 6; x++) if (inked(x, y)) return true;
        return false;
      }),
      /** Columns 0 and 1: a label cut by the canvas edge leaves ink there. */
      edgeInk: Array.from({ length: canvas.height }, (_, y) => inked(0, y) || inked(1, y)).filter(Boolean).length,
      /** x of every pixel drawn in the series' colour inside the plot. */
      seriesXs: (() => {
        const xs: number[] = [];
        for (let y = over.offsetTop; y < over.offsetTop + over.offsetHeight; y++)
          for (let x = over.offsetLeft; x < over.offsetLeft + over.offsetWidth; x++) {
            const at = (y * canvas.width + x) * 4;
            // The first series' colour is a saturated blue; grid lines are grey.
            const [r, g, b] = [pixels[at] as number, pixels[at + 1] as number, pixels[at + 2] as number];
            if (b > 150 && b - r > 80 && b - g > 40) xs.push(x);
          }
        return xs;
      })(),
    };
  }, metric);
}

/** Separate runs of inked rows: one per label drawn. */
const labelCount = (rows: boolean[]) => rows.filter((row, y) => row && !rows[y - 1]).length;

/** The lines an element's text is laid out in, as the browser broke it (by each character's line box). */
const textLines = (element: any): string[] => {
  const document = (globalThis as any).document;
  const walker = document.createTreeWalker(element, 4 /* text nodes */);
  const range = document.createRange();
  const lines: Array<{ top: number; text: string }> = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let index = 0; index < node.data.length; index++) {
      range.setStart(node, index);
      range.setEnd(node, index + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      const last = lines[lines.length - 1];
      if (last && Math.abs(rect.top - last.top) < 4) last.text += node.data[index];
      else lines.push({ top: rect.top, text: node.data[index] });
    }
  }
  return lines.map((line) => line.text);
};

/** A name shown whole, over lines that each end at one of its separators ("resnet-lr0.003-" over "bs128-adam"). */
function expectWholeAtSeparators(lines: string[], name: string, where: string) {
  expect(lines.join(''), where).toBe(name);
  expect(
    lines.slice(0, -1).filter((line) => !/[-_./]$/.test(line)),
    `${where}: lines broken inside a word`,
  ).toEqual([]);
}

describe('what MLflow wrote, read as MLflow users expect', () => {
  test("an experiment's and a run's MLflow note read as their descriptions; the clients' own tags are not shown as tags", async () => {
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      const row = page.locator('table[aria-label="Experiments"] tbody tr', { hasText: 'cifar10-sweep' });
      await row.waitFor();
      await expect.poll(() => row.textContent(), eventually).toContain('Learning-rate sweep on CIFAR-10.');
      expect(await row.locator('.tag').allTextContents()).toEqual(['team=vision']);

      await page.goto(`${local.stack.url}/experiments/${ids.experiment}`);
      const description = page.locator('.page-header .description');
      await description.waitFor();
      expect(await description.textContent()).toBe(note);
      // Its line break is kept on screen: two lines, not one run-on line.
      const lines = await description.evaluate((element) => {
        const style = (globalThis as any).getComputedStyle(element);
        return Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight));
      });
      expect(lines).toBe(2);
      expect(await page.locator('.page-header .tag').allTextContents()).toEqual(['team=vision']);

      await page.goto(`${local.stack.url}/runs/${ids.curves}?tab=overview`);
      await page.locator('.page-header .description').waitFor();
      expect(await page.locator('.page-header .description').textContent()).toBe(runNote);
      // MLflow's client records the commit as a tag; it reads as the run's commit, as the SDK's field does.
      expect(await page.locator('#overview tr', { hasText: 'Git commit' }).locator('td code').textContent()).toBe(
        gitCommit,
      );
      expect(await page.locator('.page-header .summary code').textContent()).toBe(gitCommit.slice(0, 10));
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('params are listed by name, and a long name wraps instead of squeezing its value', async () => {
    const opened = await open(`/runs/${ids.curves}?tab=overview`);
    const { page } = opened;
    try {
      const rows = page.locator('#params tbody tr');
      await rows.first().waitFor();
      expect(await page.locator('#params tbody th').allTextContents()).toEqual([
        'a_very_long_parameter_name_for_the_feature_selection_strategy_of_this_sweep',
        'alpha',
        'zeta',
      ]);
      const widths = await rows.first().evaluate((row) => ({
        table: (row.closest('table') as any).offsetWidth as number,
        value: (row.querySelector('td') as any).offsetWidth as number,
      }));
      expect(widths.value).toBeGreaterThan(widths.table * 0.5);
    } finally {
      await opened.close();
    }
  });
});

describe('experiment notes in the list', () => {
  /** Lines the note takes on screen in the experiments list. */
  const noteLines = (page: Page, experiment: string) =>
    page
      .locator('table[aria-label="Experiments"] tbody tr', { hasText: experiment })
      .locator('.note-preview')
      .evaluate((element) => {
        const style = (globalThis as any).getComputedStyle(element);
        return Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight));
      });

  test('a note keeps its line breaks, and a long one stops after three lines with the whole note in its title', async () => {
    const long = [
      '## Fraud model v3',
      'Gradient-boosted trees.',
      '- owner: risk',
      '- data: cards 2026-10',
      'See the runbook.',
    ];
    const created = await mlflow('experiments/create', { name: 'long-note' });
    await mlflow('experiments/set-experiment-tag', {
      experiment_id: created.experiment_id,
      key: 'mlflow.note.content',
      value: long.join('\n'),
    });
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      await page.locator('table[aria-label="Experiments"] tbody tr', { hasText: 'long-note' }).waitFor();
      expect(await noteLines(page, 'cifar10-sweep')).toBe(2);
      expect(await noteLines(page, 'long-note')).toBe(3);
      const preview = page
        .locator('table[aria-label="Experiments"] tbody tr', { hasText: 'long-note' })
        .locator('.note-preview');
      expect(await preview.getAttribute('title')).toBe(long.join('\n'));
    } finally {
      await opened.close();
    }
  });
});

describe('nested runs', () => {
  const runNames = (page: Page) => page.locator('.runs-grid [role="row"] .run-name a').allTextContents();

  test("a sweep's trials fold under their parent, which opens to show them indented", async () => {
    const opened = await open(`/experiments/${ids.experiment}`);
    const { page } = opened;
    try {
      await expect
        .poll(() => runNames(page), eventually)
        .toEqual(['logged-once', 'ResNet50-ImageNet-LR-sweep', 'wide-ranges']);
      expect(await page.locator('[data-testid="nested-count"]').textContent()).toMatch(/3 child runs folded/);
      const expander = page.getByRole('button', { name: 'Show the 3 child runs of ResNet50-ImageNet-LR-sweep' });
      expect(await expander.getAttribute('aria-expanded')).toBe('false');
      await expander.click();
      await expect
        .poll(() => runNames(page), eventually)
        .toEqual(['logged-once', 'ResNet50-ImageNet-LR-sweep', 'trial-2', 'trial-1', 'trial-0', 'wide-ranges']);
      const indent = await page
        .locator('.runs-grid [role="row"]', { hasText: 'trial-1' })
        .locator('.run-name')
        .evaluate((cell) => parseFloat((globalThis as any).getComputedStyle(cell).paddingLeft));
      expect(indent).toBeGreaterThan(10);
      await page.getByRole('button', { name: 'Fold the 3 child runs of ResNet50-ImageNet-LR-sweep' }).click();
      await expect
        .poll(() => runNames(page), eventually)
        .toEqual(['logged-once', 'ResNet50-ImageNet-LR-sweep', 'wide-ranges']);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("in a table wider than the screen, the parent's and its trials' names are shown whole", async () => {
    // Twelve columns: every column gets only its minimum width and the table scrolls sideways.
    const columns = Array.from({ length: 12 }, (_, index) => `col=params.p${index}`).join('&');
    const opened = await open(`/experiments/${ids.experiment}?${columns}`);
    const { page } = opened;
    try {
      await page.getByRole('button', { name: 'Show the 3 child runs of ResNet50-ImageNet-LR-sweep' }).click();
      await expect.poll(() => runNames(page), eventually).toContain('trial-0');
      const cut = await page
        .locator('.runs-grid [role="row"] .run-name a')
        .evaluateAll((links) =>
          links
            .filter((link: any) => link.scrollWidth > link.clientWidth + 1)
            .map((link: any) => link.textContent as string),
        );
      expect(
        await page.evaluate(() => (globalThis as any).document.querySelector('.runs-grid').scrollWidth),
      ).toBeGreaterThan(1280);
      expect(cut).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('the parents opened are in the URL: a reload and Back from a trial keep them open', async () => {
    const opened = await open(`/experiments/${ids.experiment}`);
    const { page } = opened;
    const expandedNames = ['logged-once', 'ResNet50-ImageNet-LR-sweep', 'trial-2', 'trial-1', 'trial-0', 'wide-ranges'];
    try {
      await page.getByRole('button', { name: 'Show the 3 child runs of ResNet50-ImageNet-LR-sweep' }).click();
      await expect.poll(() => runNames(page), eventually).toEqual(expandedNames);
      expect(new URL(page.url()).searchParams.get('open')).toBe(ids.parent);

      await page.reload();
      await expect.poll(() => runNames(page), eventually).toEqual(expandedNames);

      await page.locator('.runs-grid .run-name a', { hasText: 'trial-1' }).click();
      await page.waitForURL(`**/runs/${ids.trials[1]}**`);
      await page.goBack();
      await expect.poll(() => runNames(page), eventually).toEqual(expandedNames);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('ordered by a metric, every trial is listed in order, marked as a child run of the sweep', async () => {
    const opened = await open(
      `/experiments/${ids.experiment}?order=${encodeURIComponent('metrics.val_accuracy DESC')}`,
    );
    const { page } = opened;
    try {
      await expect
        .poll(async () => (await runNames(page)).slice(0, 3), eventually)
        .toEqual(['trial-1', 'trial-0', 'trial-2']);
      const mark = page.locator('.runs-grid [role="row"]', { hasText: 'trial-1' }).locator('.child-mark');
      expect(await mark.getAttribute('title')).toBe('Child run of ResNet50-ImageNet-LR-sweep');
    } finally {
      await opened.close();
    }
  });

  test("a trial's page names its parent; the parent's page leads to its trials", async () => {
    const opened = await open(`/runs/${ids.trials[0]}?tab=overview`);
    const { page } = opened;
    try {
      const parentRow = page.locator('#overview tr', { hasText: 'Parent run' });
      await expect.poll(() => parentRow.locator('a').textContent(), eventually).toBe('ResNet50-ImageNet-LR-sweep');
      await parentRow.locator('a').click();
      await page.waitForURL(`**/runs/${ids.parent}**`);
      // Counted and named as the page loads (the child index), each a link.
      const childRow = page.locator('#overview tr', { hasText: 'Child runs' });
      const children = childRow.locator('[data-testid="child-runs"]');
      await expect.poll(() => children.locator('.count').textContent(), eventually).toBe('3 child runs');
      expect(await children.locator('li a').allTextContents()).toEqual(['trial-2', 'trial-1', 'trial-0']);
      await children.getByRole('link', { name: 'see them in the runs table' }).click();
      await page.waitForURL(/filter=/);
      await expect.poll(() => runNames(page), eventually).toEqual(['trial-2', 'trial-1', 'trial-0']);
    } finally {
      await opened.close();
    }
  });

  test("a running sweep's page lists its trials as they start, without a reload", async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'live-sweep' });
    const experimentId = created.body.experiment_id as string;
    const parent = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: 'sweep' });
    const opened = await open(`/runs/${parent.body.run_id}?tab=overview`);
    const { page } = opened;
    try {
      const children = page.locator('#overview tr', { hasText: 'Child runs' }).locator('[data-testid="child-runs"]');
      await expect.poll(() => children.textContent(), eventually).toBe('none');
      const trial = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
        run_name: 'trial-a',
        parent_run_id: parent.body.run_id,
      });
      expect(trial.status).toBe(201);
      // The page's live poll (every 4 s while the parent runs) reads them again.
      await expect.poll(() => children.locator('.count').textContent(), eventually).toBe('1 child run');
      expect(await children.locator('li a').allTextContents()).toEqual(['trial-a']);
    } finally {
      await opened.close();
    }
  });
});

describe('charts', () => {
  test('labels of values near 1e8 and 1e-5 fit left of the plot, none cut by the edge', async () => {
    const opened = await open(`/runs/${ids.curves}?tab=charts`);
    const { page } = opened;
    try {
      for (const metric of ['tokens_seen', 'grad_norm']) {
        await readyChart(page, metric);
        const ink = await canvasInk(page, metric);
        expect(labelCount(ink.labelRows), metric).toBeGreaterThanOrEqual(3);
        expect(ink.edgeInk, `${metric}: ink in the canvas's first two columns`).toBe(0);
      }
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('a log scale labels its decades only, not every minor tick', async () => {
    const opened = await open(`/runs/${ids.curves}?tab=charts&log=1`);
    const { page } = opened;
    try {
      await readyChart(page, 'lr');
      const ink = await canvasInk(page, 'lr');
      // 0.1 down to 1.3e-5: about five decades, so five or six labels (not one per minor tick, ~40).
      expect(labelCount(ink.labelRows)).toBeGreaterThanOrEqual(3);
      expect(labelCount(ink.labelRows)).toBeLessThanOrEqual(7);
    } finally {
      await opened.close();
    }
  });

  test('a log scale is labelled below 1 where the values go below it, from a whole decade', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'loss-below-one' });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'decay' });
    await logPoints(
      local.api,
      run.body.run_id,
      Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: 40 * 0.9 ** step + 0.2, step, timestamp: step })),
    );
    const opened = await open(`/runs/${run.body.run_id}?tab=charts&log=1`);
    try {
      const chart = await readyChart(opened.page, 'loss');
      // 0.2 to 40: labelled 0.1, 1, 10, 100 (before, the axis began at 0.2 and its lowest label was 1).
      expect(((await chart.getAttribute('data-y-ticks')) ?? '').split(' | ')).toEqual(['0.1', '1', '10', '100']);
    } finally {
      await opened.close();
    }
  });

  test("a wall-time axis reads in the app's own words: a time of day, or a date and time past a day", async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'wall-time-axes' });
    const now = Date.now();
    const spans: Array<[string, number]> = [
      ['two-hours', 2 * 3_600_000],
      ['three-days', 3 * 86_400_000],
    ];
    const runs: string[] = [];
    for (const [name, span] of spans) {
      const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: name });
      runs.push(run.body.run_id);
      await logPoints(
        local.api,
        run.body.run_id,
        Array.from({ length: 100 }, (_, step) => ({
          key: 'loss',
          value: 1 / (step + 1),
          step,
          timestamp: now - span + (step * span) / 100,
        })),
      );
    }
    const opened = await open(`/runs/${runs[0]}?tab=charts&x=wall`);
    const { page } = opened;
    try {
      const ticks = async () =>
        ((await (await readyChart(page, 'loss')).getAttribute('data-x-ticks')) ?? '').split(' | ');
      // "01:30 PM", not uPlot's "1:30pm" or ":29.290".
      const hours = await ticks();
      expect(hours.length).toBeGreaterThanOrEqual(3);
      for (const tick of hours) expect(tick).toMatch(/^\d{2}:\d{2} [AP]M$/);
      await page.goto(`${local.stack.url}/runs/${runs[1]}?tab=charts&x=wall`);
      // "Nov 30, 08:00 AM" (uPlot wrote "11/30 8am"), or the day alone where ticks are days apart.
      const days = await ticks();
      expect(days.length).toBeGreaterThanOrEqual(3);
      for (const tick of days) expect(tick).toMatch(/^[A-Z][a-z]{2} \d{1,2}(, \d{2}:\d{2} [AP]M)?$/);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('the legend shows a step and values only for the point under the cursor, never a row of dashes', async () => {
    const opened = await open(`/runs/${ids.curves}?tab=charts`);
    const { page } = opened;
    try {
      const area = await readyChart(page, 'tokens_seen');
      const legend = area.locator('.u-legend');
      const plot = (await area.locator('.u-over').boundingBox()) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      await page.mouse.move(plot.x + plot.width / 2, plot.y + plot.height / 2);
      await expect.poll(() => legend.innerText(), eventually).toMatch(/step\s*:?\s*\d/);

      // Over the legend itself (to read a run's name), after a zoom's redraw, and with keyboard focus only:
      // no point is under the cursor, so no step and no value, rather than "step: —" and "wide-ranges: —".
      const box = (await legend.boundingBox()) as { x: number; y: number };
      await page.mouse.move(box.x + 4, box.y + 4);
      await expect.poll(() => legend.innerText(), eventually).not.toContain('step');
      expect(await legend.innerText()).not.toContain('—');

      await page.mouse.move(plot.x + plot.width * 0.3, plot.y + plot.height / 2);
      await page.mouse.down();
      await page.mouse.move(plot.x + plot.width * 0.5, plot.y + plot.height / 2);
      await page.mouse.move(plot.x + plot.width * 0.7, plot.y + plot.height / 2);
      await page.mouse.up();
      await page.waitForSelector('.chart-area[data-metric="tokens_seen"][data-range]:not([data-range="all"])');
      await page.waitForSelector('.chart-area[data-metric="tokens_seen"][data-state="ready"] canvas');
      expect(await legend.innerText()).not.toContain('—');

      await page.mouse.move(0, 0);
      await area.focus();
      expect(await legend.innerText()).not.toContain('—');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('a run name wider than the chart stays beside its colour in the legend, cut with … (shorter while its value shows), whole in its tooltip', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'clv-ensembles' });
    const name = 'lightgbm-dart-num_leaves_255-min_child_samples_50-feature_fraction_0.7-seed_20261129';
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: name });
    const now = Date.now();
    await logPoints(
      local.api,
      run.body.run_id,
      Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step, timestamp: now + step })),
    );
    for (const width of [390, 1280]) {
      const context = await session.browser.newContext({ viewport: { width, height: 844 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      try {
        await signInByLink(page, local.stack.url, local.stack.token, `/runs/${run.body.run_id}?tab=charts`);
        const area = await readyChart(page, 'loss');
        const entry = await area
          .locator('.u-legend .u-series')
          .nth(1)
          .evaluate((row: any) => {
            const marker = row.querySelector('.u-marker').getBoundingClientRect();
            const label = row.querySelector('.u-label');
            const box = label.getBoundingClientRect();
            const chart = row.closest('.chart-area').getBoundingClientRect();
            return {
              markerMiddle: (marker.top + marker.bottom) / 2,
              labelTop: box.top,
              labelBottom: box.bottom,
              labelRight: box.right,
              chartRight: chart.right,
              title: label.getAttribute('title'),
            };
          });
        // The marker on the label's line, not alone on a line above it.
        expect(entry.markerMiddle, `${width} px`).toBeGreaterThan(entry.labelTop);
        expect(entry.markerMiddle, `${width} px`).toBeLessThan(entry.labelBottom);
        expect(entry.labelRight, `${width} px`).toBeLessThanOrEqual(entry.chartRight);
        expect(entry.title).toBe(name);

        // Hovering a point: its value joins the entry on the same line (the name cut shorter), still on the chart.
        const plot = (await area.locator('.u-over').boundingBox()) as {
          x: number;
          y: number;
          width: number;
          height: number;
        };
        await page.mouse.move(plot.x + plot.width / 2, plot.y + plot.height / 2);
        await page.waitForSelector('.chart-area[data-metric="loss"][data-cursor]');
        const hovered = await area
          .locator('.u-legend .u-series')
          .nth(1)
          .evaluate((row: any) => {
            const label = row.querySelector('.u-label').getBoundingClientRect();
            const value = row.querySelector('.u-value');
            const box = value.getBoundingClientRect();
            return {
              labelTop: label.top,
              labelBottom: label.bottom,
              valueMiddle: (box.top + box.bottom) / 2,
              valueRight: box.right,
              value: value.textContent,
              chartRight: row.closest('.chart-area').getBoundingClientRect().right,
            };
          });
        expect(hovered.value, `${width} px`).toMatch(/^0\.\d+/);
        expect(hovered.valueMiddle, `${width} px: value on the name's line`).toBeGreaterThan(hovered.labelTop);
        expect(hovered.valueMiddle, `${width} px: value on the name's line`).toBeLessThan(hovered.labelBottom);
        expect(hovered.valueRight, `${width} px`).toBeLessThanOrEqual(hovered.chartRight);
      } finally {
        await context.close();
      }
    }
  });

  /** An experiment of runs that each log five steps of every metric in `names`: their ids, in order. */
  const runsWithMetrics = async (experimentName: string, runNames: string[], names: string[]) => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: experimentName });
    const runIds: string[] = [];
    for (const runName of runNames) {
      const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: runName });
      runIds.push(run.body.run_id);
      const now = Date.now();
      await logPoints(
        local.api,
        run.body.run_id,
        names.flatMap((key, index) =>
          Array.from({ length: 5 }, (_, step) => ({ key, value: index + step, step, timestamp: now + step })),
        ),
      );
    }
    return runIds;
  };

  test("a run's charts are found by the words of their names, the search kept in the URL", async () => {
    const names = ['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy', 'val_loss_ema', 'lr'];
    const runIds = await runsWithMetrics('many-metrics', ['a', 'b'], names);
    const opened = await open(`/runs/${runIds[0]}?tab=charts`);
    const { page } = opened;
    try {
      const shown = () =>
        page
          .locator('.charts .chart-area')
          .evaluateAll((areas) => areas.map((a: any) => a.dataset.metric as string).sort());
      await expect.poll(shown, eventually).toHaveLength(6);
      await page.getByLabel('Find charts by metric name').fill('val loss');
      await expect.poll(shown, eventually).toEqual(['val/loss', 'val_loss_ema'].sort());
      expect(await page.locator('.chart-controls').textContent()).toContain('2 of 6');
      await page.reload();
      await expect.poll(shown, eventually).toEqual(['val/loss', 'val_loss_ema'].sort());
      expect(await page.getByLabel('Find charts by metric name').inputValue()).toBe('val loss');
      await page.getByLabel('Find charts by metric name').fill('f1');
      await expect.poll(() => page.locator('[role="tabpanel"] .empty').textContent(), eventually).toContain('f1');
      expect(opened.problems).toEqual([]);

      // The compare page's charts take the same search.
      await page.goto(`${local.stack.url}/compare?runs=${runIds.join(',')}&charts=accuracy`);
      await expect.poll(shown, eventually).toEqual(['train/accuracy', 'val/accuracy']);
    } finally {
      await opened.close();
    }
  });

  test("a run's charts are grouped by the prefix of their names in sections that fold, kept in the URL", async () => {
    const names = ['val/loss', 'train/loss', 'train/accuracy', 'val/accuracy', 'lr', 'epoch'];
    const runIds = await runsWithMetrics('prefixed-metrics', ['vit-a', 'vit-b'], names);
    const opened = await open(`/runs/${runIds[0]}?tab=charts`);
    const { page } = opened;
    try {
      const sections = () =>
        page.locator('.chart-section').evaluateAll((all) =>
          all.map((section: any) => ({
            title: section.querySelector('.chart-section-title').textContent as string,
            open: section.querySelector('.chart-section-title button').getAttribute('aria-expanded') === 'true',
            charts: [...section.querySelectorAll('.chart-area')].map((area: any) => area.dataset.metric as string),
          })),
        );
      await expect.poll(sections, eventually).toEqual([
        { title: 'train2 charts', open: true, charts: ['train/accuracy', 'train/loss'] },
        { title: 'val2 charts', open: true, charts: ['val/accuracy', 'val/loss'] },
        { title: 'Other2 charts', open: true, charts: ['epoch', 'lr'] },
      ]);
      // Folded from the keyboard: its charts are not built, and the URL remembers it across a reload.
      await page.getByRole('button', { name: /^train/ }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => new URL(page.url()).searchParams.getAll('collapsed'), eventually).toEqual(['train']);
      await expect
        .poll(async () => (await sections())[0], eventually)
        .toEqual({
          title: 'train2 charts',
          open: false,
          charts: [],
        });
      await page.reload();
      await expect.poll(async () => (await sections()).map((one) => one.open), eventually).toEqual([false, true, true]);
      // The search keeps working across sections: a folded one says how many of its charts match.
      await page.getByLabel('Find charts by metric name').fill('loss');
      await expect.poll(sections, eventually).toEqual([
        { title: 'train1 of 2 charts', open: false, charts: [] },
        { title: 'val1 of 2 charts', open: true, charts: ['val/loss'] },
      ]);
      await page.getByRole('button', { name: /^train/ }).click();
      await expect.poll(async () => (await sections())[0]?.charts, eventually).toEqual(['train/loss']);
      expect(new URL(page.url()).searchParams.getAll('collapsed')).toEqual([]);

      // Compare groups the same way; a run whose names have no '/' keeps one grid.
      await page.goto(`${local.stack.url}/compare?runs=${runIds.join(',')}&collapsed=val`);
      await expect
        .poll(async () => (await sections()).map((one) => `${one.title}:${one.open}`), eventually)
        .toEqual(['train2 charts:true', 'val2 charts:false', 'Other2 charts:true']);
      await page.goto(`${local.stack.url}/runs/${ids.curves}?tab=charts`);
      await expect.poll(() => page.locator('.charts .chart-area').count(), eventually).toBe(3);
      expect(await page.locator('.chart-section').count()).toBe(0);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("the machine's system/ metrics come last and start folded; opened, they stay open in the URL and on the next run", async () => {
    const names = [
      'system/cpu_utilization_percentage',
      'system/gpu_0_utilization_percentage',
      'train/loss',
      'epoch',
      'val/loss',
    ];
    const runIds = await runsWithMetrics('system-metrics-last', ['llm-a', 'llm-b'], names);
    const onlySystem = await runsWithMetrics('system-metrics-only', ['idle'], ['system/cpu_utilization_percentage']);
    const opened = await open(`/runs/${runIds[0]}?tab=charts`);
    const { page } = opened;
    try {
      const sections = () =>
        page.locator('.chart-section').evaluateAll((all) =>
          all.map((section: any) => ({
            key: section.dataset.section as string,
            open: section.querySelector('.chart-section-title button').getAttribute('aria-expanded') === 'true',
            charts: section.querySelectorAll('.chart-area').length as number,
          })),
        );
      await expect.poll(sections, eventually).toEqual([
        { key: 'train', open: true, charts: 1 },
        { key: 'val', open: true, charts: 1 },
        { key: '/', open: true, charts: 1 },
        // Folded: its charts are not built, so they fetch nothing.
        { key: 'system', open: false, charts: 0 },
      ]);
      const system = page.getByRole('button', { name: /^system/ });
      await system.click();
      await page.waitForURL(/[?&]expanded=system(&|$)/);
      await expect
        .poll(async () => (await sections())[3], eventually)
        .toEqual({ key: 'system', open: true, charts: 2 });
      await page.reload();
      await expect.poll(async () => (await sections())[3]?.open, eventually).toBe(true);
      // Another run, opened bare, in this browser: open too, as last chosen.
      await page.goto(`${local.stack.url}/runs/${runIds[1]}?tab=charts`);
      await expect.poll(async () => (await sections())[3]?.charts, eventually).toBe(2);
      // Folded again: the URL and this browser say so.
      await page.getByRole('button', { name: /^system/ }).click();
      await page.waitForURL(/[?&]collapsed=system(&|$)/);
      await page.goto(`${local.stack.url}/runs/${runIds[0]}?tab=charts`);
      await expect
        .poll(async () => (await sections())[3], eventually)
        .toEqual({ key: 'system', open: false, charts: 0 });
      // A shared link that says expanded=system opens it whatever this browser last chose.
      await page.goto(`${local.stack.url}/runs/${runIds[0]}?tab=charts&expanded=system`);
      await expect.poll(async () => (await sections())[3]?.open, eventually).toBe(true);
      // A run with system metrics only: nothing else to show, so they are open.
      await page.goto(`${local.stack.url}/runs/${onlySystem[0]}?tab=charts`);
      await expect.poll(sections, eventually).toEqual([{ key: 'system', open: true, charts: 1 }]);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('NaN and ∞ points break the line where they were logged, are counted on the chart and named in the legend', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'diverged' });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'nan-run' });
    const now = Date.now();
    // Steps 0..6; NaN at 2, ∞ at 4: drawn as a gap from step 1 to 3 and from 3 to 5, not bridged.
    const values: Array<number | string> = [1, 0.9, 'NaN', 0.7, 'Infinity', 0.5, 0.4];
    const logged = await local.api.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
      metrics: values.map((value, step) => ({ key: 'loss', value, step, timestamp: now + step })),
    });
    expect(logged.status).toBeLessThan(300);
    const opened = await open(`/runs/${run.body.run_id}?tab=charts`);
    const { page } = opened;
    try {
      const area = await readyChart(page, 'loss');
      const header = area.locator('xpath=preceding-sibling::header');
      expect(await header.locator('[data-testid="non-finite"]').textContent()).toBe('1 NaN, 1 ∞');
      const ink = await canvasInk(page, 'loss');
      const xOf = (step: number) => ink.plotLeft + (ink.plotWidth * step) / 6;
      const inkBetween = (from: number, to: number) => {
        const [a, b] = [xOf(from), xOf(to)];
        return ink.seriesXs.filter((x) => x > a + (b - a) * 0.25 && x < b - (b - a) * 0.25).length;
      };
      expect(inkBetween(0, 1), 'a line from step 0 to 1').toBeGreaterThan(0);
      expect(inkBetween(1, 2), 'no line into the NaN at step 2').toBe(0);
      expect(inkBetween(2, 3), 'no line out of the NaN at step 2').toBe(0);
      expect(inkBetween(3, 4), 'no line into the ∞ at step 4').toBe(0);
      expect(inkBetween(5, 6), 'a line from step 5 to 6').toBeGreaterThan(0);

      // A running run's chart is redrawn when its data is polled again, and a redrawn plot has
      // no box for a moment and a fresh legend: so each try finds the plot and hovers again.
      const plotArea = area.locator('.u-over');
      const legendValue = area.locator('.u-legend .u-series').nth(1).locator('.u-value');
      const legendAt = async (step: number) => {
        const plot = await plotArea.boundingBox();
        if (!plot) return null;
        await page.mouse.move(plot.x + (plot.width * step) / 6, plot.y + plot.height / 2);
        return legendValue.textContent();
      };
      for (const [step, shown] of [
        [2, 'NaN'],
        [4, '∞'],
        [5, '0.5'],
      ] as const) {
        await expect.poll(() => legendAt(step), eventually).toBe(shown);
      }
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('a step axis is labelled at whole steps only, never at step 2.5', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'few-epochs' });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'five' });
    const now = Date.now();
    await logPoints(
      local.api,
      run.body.run_id,
      Array.from({ length: 6 }, (_, step) => ({ key: 'val_acc', value: 0.5 + step / 20, step, timestamp: now + step })),
    );
    const opened = await open(`/runs/${run.body.run_id}?tab=charts`);
    const { page } = opened;
    try {
      await readyChart(page, 'val_acc');
      // Labels under the plot, told apart by the blank columns between them.
      const labels = await page.evaluate(() => {
        const area = (globalThis as any).document.querySelector('.chart-area[data-metric="val_acc"]');
        const canvas = area.querySelector('canvas');
        const over = area.querySelector('.u-over');
        const pixels: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const top = over.offsetTop + over.offsetHeight + 6;
        const inked = (x: number) => {
          for (let y = top; y < canvas.height; y++)
            if ((pixels[(y * canvas.width + x) * 4 + 3] as number) > 0) return true;
          return false;
        };
        let count = 0;
        let blank = Infinity;
        for (let x = 0; x < canvas.width; x++) {
          if (inked(x)) {
            if (blank > 8) count++;
            blank = 0;
          } else blank++;
        }
        return count;
      });
      // Steps 0 to 5: six labels at most (uPlot's own spacing put one every half step).
      expect(labels).toBeGreaterThanOrEqual(3);
      expect(labels).toBeLessThanOrEqual(6);
    } finally {
      await opened.close();
    }
  });

  test('a metric logged once reads as its value, not a lone dot on an axis from -1 to 1; one logged again and again at one step has one tick there', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'logged-without-steps' });
    const repeated = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, {
      run_name: 'no-steps',
    });
    // As MLflow's client logs without a step: every point at step 0.
    await logPoints(
      local.api,
      repeated.body.run_id,
      Array.from({ length: 5 }, (_, index) => ({ key: 'throughput', value: 100 + index, step: 0, timestamp: index })),
    );
    const opened = await open(`/runs/${ids.once}?tab=charts`);
    const { page } = opened;
    try {
      const area = page.locator('.chart-area[data-metric="best_accuracy"]');
      await page.waitForSelector('.chart-area[data-metric="best_accuracy"][data-state="ready"] .single-value');
      expect(await area.locator('.single-value').innerText()).toBe('0.93\nlogged once, at step 7');
      expect(await area.locator('canvas').count()).toBe(0);
      // A card no taller than the number needs, without a "1 pt · full detail" badge.
      const card = await area.evaluate((element: any) => ({
        height: element.closest('.chart-card').getBoundingClientRect().height as number,
        badges: element.closest('.chart-card').querySelectorAll('header .badge').length as number,
      }));
      expect(card.height).toBeLessThan(160);
      expect(card.badges).toBe(0);

      await page.goto(`${local.stack.url}/runs/${repeated.body.run_id}?tab=charts`);
      const chart = await readyChart(page, 'throughput');
      expect(await chart.getAttribute('data-x-ticks')).toBe('0');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('an ended run whose metrics are scores at one step (sklearn autolog) opens on its overview; a run with curves on its charts', async () => {
    // As `mlflow.sklearn.autolog()` leaves a run: its scores once each, at step 0, through MLflow's routes.
    const scored = await mlflow('runs/create', { experiment_id: ids.experiment, run_name: 'logreg-autolog' });
    const scoredId = scored.run.info.run_id as string;
    const scores = ['training_accuracy_score', 'training_f1_score', 'training_log_loss', 'training_roc_auc'];
    await mlflow('runs/log-batch', {
      run_id: scoredId,
      metrics: scores.map((key, index) => ({ key, value: 0.9 + index / 100, timestamp: Date.now(), step: 0 })),
    });
    await mlflow('runs/update', { run_id: scoredId, status: 'FINISHED', end_time: Date.now() });
    const selectedTab = (page: Page) => page.locator('[role="tab"][aria-selected="true"]').textContent();
    for (const [runId, tab] of [
      [scoredId, 'Overview'],
      [ids.curves, 'Charts (3)'],
    ] as const) {
      const opened = await open(`/runs/${runId}`);
      try {
        await expect.poll(() => selectedTab(opened.page), eventually).toBe(tab);
        if (tab === 'Overview') {
          // The scores as numbers, and their charts one click away.
          await expect
            .poll(() => opened.page.locator('#latest tbody th').allTextContents(), eventually)
            .toEqual(scores);
          expect(await opened.page.locator('[role="tab"]:text("Charts")').textContent()).toBe('Charts (4)');
        }
        expect(opened.problems).toEqual([]);
      } finally {
        await opened.close();
      }
    }
  });

  test('the compare page orders its charts as a run page does: curves first, values logged at one step after', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'compare-chart-order' });
    const runIds: string[] = [];
    for (const name of ['gbm-a', 'gbm-b']) {
      const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: name });
      runIds.push(run.body.run_id);
      const now = Date.now();
      await logPoints(local.api, run.body.run_id, [
        // Alphabetically first, and a value of one step in each run: not the chart to open on.
        { key: 'a_score', value: 0.8, step: 0, timestamp: now },
        ...Array.from({ length: 10 }, (_, step) => ({
          key: 'train_loss',
          value: 1 / (step + 1),
          step,
          timestamp: now,
        })),
      ]);
    }
    const opened = await open(`/compare?runs=${runIds.join(',')}`);
    try {
      const charts = () =>
        opened.page.locator('.charts .chart-card h3').evaluateAll((titles) => titles.map((t: any) => t.textContent));
      await expect.poll(charts, eventually).toEqual(['train_loss', 'a_score']);
      // a_score, once in each run at step 0: each run's value beside its name, not two dots on one spot.
      const values = opened.page.locator('.chart-area[data-metric="a_score"] table.single-values');
      await values.scrollIntoViewIfNeeded();
      await values.waitFor();
      expect(await values.locator('caption').textContent()).toBe('logged once, at step 0');
      expect(
        await values
          .locator('tbody tr')
          .evaluateAll((rows) => rows.map((row: any) => row.innerText.split('\t').map((cell: string) => cell.trim()))),
      ).toEqual([
        ['gbm-a', '0.8'],
        ['gbm-b', '0.8'],
      ]);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("a run's page opens on its curves, not on the values logged at one step; each in the runs table's order of names", async () => {
    // As a churn model's run logs them: curves by epoch, final scores once at MLflow's default step 0, a
    // test score once at the last epoch, and a reading logged again and again without a step (all at 0).
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'churn-chart-order' });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'gbm' });
    const runId = run.body.run_id as string;
    const now = Date.now();
    await logPoints(local.api, runId, [
      ...['f1', 'nan_metric', 'precision_at_10'].map((key) => ({ key, value: 0.5, step: 0, timestamp: now })),
      ...['train_loss', 'val_auc', 'epoch'].flatMap((key) =>
        Array.from({ length: 20 }, (_, step) => ({ key, value: 1 / (step + 1), step, timestamp: now + step })),
      ),
      { key: 'test_accuracy', value: 0.9, step: 19, timestamp: now },
      ...Array.from({ length: 5 }, (_, i) => ({ key: 'throughput', value: 100 + i, step: 0, timestamp: now + i })),
    ]);
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/runs/${runId}?tab=charts`);
      // Every card, built or not yet (a chart far below is built as it scrolls near).
      const charts = () =>
        page.locator('.charts .chart-card').evaluateAll((cards) =>
          cards.map((card: any) => ({
            metric: card.querySelector('h3').textContent as string,
            top: card.getBoundingClientRect().top as number,
          })),
        );
      await expect
        .poll(async () => (await charts()).map((chart) => chart.metric), eventually)
        .toEqual([
          'val_auc',
          'train_loss',
          'epoch',
          // By its latest step (19) alone it would have been a curve, and the first chart of the page.
          'test_accuracy',
          'f1',
          'precision_at_10',
          'nan_metric',
          'throughput',
        ]);
      // What the phone shows before any scrolling: curves only.
      const onScreen = (await charts()).filter((chart) => chart.top < 844).map((chart) => chart.metric);
      expect(onScreen.length).toBeGreaterThan(0);
      expect(onScreen.every((metric) => ['val_auc', 'train_loss', 'epoch'].includes(metric))).toBe(true);
      // A card not drawn yet (far below) is as tall as a drawn curve's and says it is loading: not an empty box.
      await page.waitForSelector('.chart-area[data-metric="val_auc"][data-state="ready"] canvas');
      const cards = await page.locator('.charts .chart-card').evaluateAll((all) =>
        all.map((card: any) => ({
          pending: card.querySelector('.chart-area.pending') !== null,
          text: card.querySelector('.chart-area').textContent as string,
          height: card.getBoundingClientRect().height as number,
        })),
      );
      const pending = cards.filter((card) => card.pending);
      expect(pending.length).toBeGreaterThan(0);
      for (const card of pending) {
        expect(card.text).toBe('Loading…');
        expect(Math.abs(card.height - (cards[0]?.height ?? 0))).toBeLessThanOrEqual(2);
      }
      // The Latest metrics card stays a list to look names up in: by name.
      await page.goto(`${local.stack.url}/runs/${runId}?tab=overview`);
      await expect
        .poll(() => page.locator('#latest tbody th').allTextContents(), eventually)
        .toEqual([
          'epoch',
          'f1',
          'nan_metric',
          'precision_at_10',
          'test_accuracy',
          'throughput',
          'train_loss',
          'val_auc',
        ]);
    } finally {
      await context.close();
    }
  });
});

describe('a phone (390 px wide)', () => {
  test('no page is wider than the screen and Sign out stays on it', async () => {
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token);
      for (const path of [
        '/experiments',
        `/experiments/${ids.experiment}`,
        `/runs/${ids.curves}?tab=overview`,
        `/runs/${ids.curves}?tab=charts`,
        `/runs/${ids.curves}?tab=artifacts`,
        `/compare?runs=${ids.curves},${ids.once}`,
        '/models',
        // A table wider than the phone scrolls in its box; a visually hidden header in its last
        // column (position: absolute) must not widen the page.
        '/tokens',
      ]) {
        await page.goto(`${local.stack.url}${path}`);
        await page.waitForSelector('main h1');
        await page.waitForLoadState('networkidle');
        const layout = await page.evaluate(() => {
          const doc = (globalThis as any).document;
          return {
            scrollWidth: doc.documentElement.scrollWidth as number,
            signOutRight: doc.querySelector('.topbar > button').getBoundingClientRect().right as number,
          };
        });
        expect(layout.scrollWidth, path).toBeLessThanOrEqual(390);
        expect(layout.signOutRight, path).toBeLessThanOrEqual(390);
      }
    } finally {
      await context.close();
    }
  });
});

describe('long names on a phone (390 px wide), on every page', () => {
  test("no page scrolls sideways; in each list a long name is cut with …, whole in its title (a run's wraps whole), and the next column starts on screen", async () => {
    const experimentName = 'churn-prediction-gradient-boosting-grid-search-2026q4-with-feature-store-v3';
    const runName = 'lgbm-depth12-lr0.03-n1000-features-v3-with-target-encoding-and-calibration';
    const modelName = 'churn-predictor-gradient-boosted-trees-with-target-encoding-v3';
    const experiment = await local.api.post('/api/v1/experiments', { experiment_name: experimentName });
    const experimentId = experiment.body.experiment_id as string;
    const runIds: string[] = [];
    // Four runs, as a sweep is compared: runs × metrics as columns put three of them a swipe away.
    for (const [index, suffix] of ['', '-seed2', '-seed3', '-seed4'].entries()) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: runName + suffix });
      runIds.push(run.body.run_id);
      await local.api.post(`/api/v1/runs/${run.body.run_id}/params`, {
        params: { feature_set_path: `s3://features/churn/v3/2026-11-28/${'x'.repeat(60)}`, max_depth: 12 },
      });
      await local.api.post(`/api/v1/runs/${run.body.run_id}/tags`, {
        tags: { dataset_version: 'feature-store-v3-2026-11-28-snapshot-with-a-long-suffix' },
      });
      await logPoints(local.api, run.body.run_id, [
        { key: 'val_auc_on_the_held_out_november_cohort', value: 0.91 - index / 100, step: 0, timestamp: Date.now() },
        { key: 'val_logloss', value: 0.3 + index / 100, step: 0, timestamp: Date.now() },
        { key: 'system/cpu_utilization_percentage', value: 40, step: 0, timestamp: Date.now() },
      ]);
    }
    const [runId] = runIds as [string];
    await uploadArtifact(
      local.api,
      runId,
      'model/a-rather-long-directory-name-for-the-serialised-booster/model.txt',
      Buffer.from('booster'),
      'text/plain',
    );
    expect((await local.api.post('/api/v1/models', { name: modelName })).status).toBe(201);
    const version = await local.api.post(`/api/v1/models/${modelName}/versions`, {
      run_id: runId,
      artifact_path: 'model',
    });
    expect(version.status).toBe(201);
    const alias = 'champion-for-the-november-retention-campaign';
    expect((await local.api.call('PUT', `/api/v1/models/${modelName}/aliases/${alias}`, { version: 1 })).status).toBe(
      200,
    );

    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token);
      // A run's name is whole, wrapped after its separators: cut at the end, a sweep's runs read alike.
      const pages: Array<{ path: string; list?: string; name?: string; whole?: boolean }> = [
        { path: '/experiments', list: 'table[aria-label="Experiments"]', name: experimentName },
        { path: `/experiments/${experimentId}`, list: '.runs-grid', name: runName, whole: true },
        { path: `/runs/${runId}?tab=overview` },
        { path: `/runs/${runId}?tab=charts` },
        { path: `/runs/${runId}?tab=artifacts` },
        {
          path: `/compare?runs=${runIds.join(',')}`,
          list: 'table[aria-label="Compared runs"]',
          name: runName,
          whole: true,
        },
        { path: '/models', list: 'table[aria-label="Models"]', name: modelName },
        { path: `/models/${modelName}`, list: 'table[aria-label="Versions"]' },
        { path: `/models/${modelName}/versions/1` },
        { path: '/tokens' },
      ];
      for (const { path, list, name, whole } of pages) {
        await page.goto(`${local.stack.url}${path}`);
        await page.waitForSelector('main h1');
        if (list) await page.locator(`${list} :is(tbody tr a, [role="cell"] a)`).first().waitFor();
        await page.waitForLoadState('networkidle');
        const scrollWidth = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
        expect(scrollWidth, path).toBeLessThanOrEqual(390);
        if (!list) continue;
        // The cell holding the first row's link, and the cell after it: it must begin on screen.
        const layout = await page.locator(list).evaluate((table: any) => {
          const link = table.querySelector('tbody tr a, [role="row"] [role="cell"] a');
          const cell = link.closest('td, [role="cell"]');
          return {
            nextLeft: cell.nextElementSibling.getBoundingClientRect().left as number,
            linkRight: link.getBoundingClientRect().right as number,
          };
        });
        expect(layout.linkRight, path).toBeLessThanOrEqual(390);
        expect(layout.nextLeft, path).toBeLessThan(390);
        if (name) {
          const link = page.locator(`${list} a[title^="${name}"]`).first();
          const cut = await link.evaluate((a: any) => ({ cut: a.scrollWidth > a.clientWidth, title: a.title }));
          expect(cut.cut, `${path}: ${name} ${whole ? 'whole' : 'cut with …'}`).toBe(!whole);
          expect(cut.title, path).toContain(name);
          if (whole) {
            const lines = await link.evaluate(textLines);
            expect(lines.length, path).toBeGreaterThan(2);
            expectWholeAtSeparators(lines, cut.title, path);
          }
        }
      }

      // Compare: the runs table is name, status and start, whole on screen; each metric and param is
      // listed under it with every run's value on screen, the best marked, each name whole in its title.
      await page.goto(`${local.stack.url}/compare?runs=${runIds.join(',')}`);
      const byRun = page.locator('table[aria-label="Latest metrics by run"]');
      await byRun.locator('td.best').first().waitFor();
      const compare = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        const box = doc.querySelector('#compared-runs .table-scroll');
        const rightmost = (selector: string) =>
          Math.max(...[...doc.querySelectorAll(selector)].map((cell: any) => cell.getBoundingClientRect().right));
        const rows = (label: string) =>
          [...doc.querySelectorAll(`table[aria-label="${label}"] tbody`)].map((group: any) => ({
            name: group.querySelector('th[scope="rowgroup"]').firstChild.textContent as string,
            runs: [...group.querySelectorAll('th[scope="row"]')].map((th: any) => ({
              title: th.title as string,
              cut: th.scrollWidth > th.clientWidth,
              right: th.querySelector('.run-label').getBoundingClientRect().right as number,
            })),
            values: [...group.querySelectorAll('td')].map((td: any) => td.firstChild.textContent as string),
            best: [...group.querySelectorAll('td')].map((td: any) => td.classList.contains('best')),
          }));
        return {
          pageWidth: doc.documentElement.scrollWidth as number,
          runsOverflow: (box.scrollWidth - box.clientWidth) as number,
          runsHeads: [...doc.querySelectorAll('#compared-runs thead th')].map((th: any) => th.textContent),
          runsRight: rightmost('#compared-runs td'),
          valuesRight: rightmost('table[aria-label="Latest metrics by run"] td'),
          paramsRight: rightmost('table[aria-label="Params by run"] td'),
          metrics: rows('Latest metrics by run'),
          params: rows('Params by run'),
        };
      });
      expect(compare.pageWidth).toBeLessThanOrEqual(390);
      expect(compare.runsOverflow).toBeLessThanOrEqual(0);
      expect(compare.runsHeads).toEqual(['Run', 'Status', 'Started']);
      expect(compare.runsRight).toBeLessThanOrEqual(390);
      expect(compare.valuesRight).toBeLessThanOrEqual(390);
      expect(compare.paramsRight).toBeLessThanOrEqual(390);
      const runTitles = ['', '-seed2', '-seed3', '-seed4'].map((suffix) => runName + suffix);
      // Scored metrics first, the machine's reading last; the highest AUC and the lowest log loss marked.
      expect(compare.metrics.map((metric) => metric.name)).toEqual([
        'val_auc_on_the_held_out_november_cohort',
        'val_logloss',
        'system/cpu_utilization_percentage',
      ]);
      const [auc, logloss, cpu] = compare.metrics;
      expect(auc?.runs.map((run) => run.title)).toEqual(runTitles);
      // Whole, on screen: "lgbm-depth12-lr0.03-n1000-…" four times told the runs apart by their swatch alone.
      for (const group of [...compare.metrics, ...compare.params]) {
        expect(
          group.runs.filter((run) => run.cut || run.right > 390),
          group.name,
        ).toEqual([]);
      }
      const labels = page.locator(
        'table:is([aria-label="Latest metrics by run"], [aria-label="Params by run"]) .run-label',
      );
      expect(await labels.count()).toBe(4 * 5);
      for (let index = 0; index < 4 * 5; index++) {
        const lines = await labels.nth(index).evaluate(textLines);
        expectWholeAtSeparators(lines, runTitles[index % 4] as string, `by run ${index}`);
      }
      expect(auc?.values).toEqual(['0.91000', '0.90000', '0.89000', '0.88000']);
      expect(auc?.best).toEqual([true, false, false, false]);
      expect(logloss?.best).toEqual([true, false, false, false]);
      expect(cpu?.best).toEqual([false, false, false, false]);
      expect(compare.params.map((param) => param.name)).toEqual(['feature_set_path', 'max_depth']);
      expect(compare.params[1]?.values).toEqual(['12', '12', '12', '12']);
    } finally {
      await context.close();
    }
  });
});

describe("a run's params and latest metrics", () => {
  test('a long key wraps after a / or _, never inside a word; the key filter finds by words, is kept in the URL, and says when it finds nothing', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'robustness-evals' });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'vit' });
    const keys = [
      'eval/imagenet_sketch/acc',
      'eval/imagenet_sketch/top5_accuracy_calibrated',
      'eval/imagenet_r/acc',
      'eval/imagenet_v2/acc',
      ...Array.from({ length: 10 }, (_, index) => `sys/gpu${index}/util`),
    ];
    await logPoints(
      local.api,
      run.body.run_id,
      keys.map((key, index) => ({ key, value: index / 10, step: 11, timestamp: Date.now() })),
    );
    const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/runs/${run.body.run_id}?tab=overview`);
      const heads = page.locator('#latest tbody th');
      await expect.poll(() => heads.count(), eventually).toBe(keys.length);
      // Each key's lines as laid out: the text of each line, from where its characters are.
      const lines = await heads.evaluateAll((cells) =>
        cells.map((cell: any) => {
          const document = (globalThis as any).document;
          const walker = document.createTreeWalker(cell, 4);
          const byTop = new Map<number, string>();
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let at = 0; at < node.textContent.length; at++) {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + 1);
              const top = Math.round(range.getBoundingClientRect().top);
              byTop.set(top, (byTop.get(top) ?? '') + node.textContent[at]);
            }
          }
          return [...byTop.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
        }),
      );
      const wrapped = lines.filter((keyLines) => keyLines.length > 1);
      expect(wrapped.length, JSON.stringify(lines)).toBeGreaterThan(0);
      for (const keyLines of wrapped)
        for (const line of keyLines.slice(0, -1)) expect(line, JSON.stringify(keyLines)).toMatch(/[/_.-]$/);

      await page.getByLabel('Filter metrics by name').fill('f1_score');
      await expect
        .poll(() => page.locator('#latest').textContent(), eventually)
        .toContain('No metric name holds “f1_score”.');

      // The filter is part of the view: by the words of a name, kept through a reload and in a shared link.
      await page.getByLabel('Filter metrics by name').fill('sketch acc');
      await page.waitForURL(/mkeys=sketch\+acc/);
      const shownKeys = () => page.locator('#latest tbody th').allTextContents();
      await expect
        .poll(shownKeys, eventually)
        .toEqual(['eval/imagenet_sketch/acc', 'eval/imagenet_sketch/top5_accuracy_calibrated']);
      await page.reload();
      await expect
        .poll(shownKeys, eventually)
        .toEqual(['eval/imagenet_sketch/acc', 'eval/imagenet_sketch/top5_accuracy_calibrated']);
      expect(await page.getByLabel('Filter metrics by name').inputValue()).toBe('sketch acc');
      // Without tab=overview (the charts tab is the default for a run with metrics) the link still opens on the filter.
      await page.goto(`${local.stack.url}/runs/${run.body.run_id}?mkeys=gpu3`);
      await expect.poll(shownKeys, eventually).toEqual(['sys/gpu3/util']);
    } finally {
      await context.close();
    }
  });
});

describe('lists on a phone (390 px wide)', () => {
  test('the experiments, models and tokens lists fit the screen: name and count on one line, tags, dates, scope and id named under it', async () => {
    const tokenName = 'nightly-training-jobs-for-the-retention-team-cluster';
    const token = await local.api.post('/api/v1/admin/tokens', { name: tokenName, scope: 'write' });
    expect(token.status).toBe(201);
    const modelName = 'retention-model-with-a-name-longer-than-any-phone-is-wide';
    expect((await local.api.post('/api/v1/models', { name: modelName })).status).toBe(201);
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, '/experiments');
      for (const [path, label] of [
        ['/experiments', 'Experiments'],
        ['/models', 'Models'],
        ['/tokens', 'Tokens'],
      ] as const) {
        await page.goto(`${local.stack.url}${path}`);
        const rows = page.locator(`table[aria-label="${label}"] tbody tr`);
        await rows.first().waitFor();
        await page.waitForLoadState('networkidle');
        const layout = await page.locator(`table[aria-label="${label}"]`).evaluate((table: any) => {
          const document = (globalThis as any).document;
          const box = table.closest('.table-scroll');
          const cells = [...table.querySelectorAll('tbody td')].filter((td: any) => td.getClientRects().length > 0);
          // Text broken over lines: a text node drawn as boxes at different heights (a note excepted: it keeps
          // its breaks; so is an alias longer than the screen, which wraps inside its chip).
          const range = document.createRange();
          const broken: string[] = [];
          const walker = document.createTreeWalker(table.tBodies[0], 4 /* NodeFilter.SHOW_TEXT */);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.parentElement.closest('.note-preview, .alias-chip') || !node.textContent.trim()) continue;
            range.selectNodeContents(node);
            const tops = new Set(
              [...range.getClientRects()]
                .filter((rect: any) => rect.height > 0)
                .map((rect: any) => Math.round(rect.top)),
            );
            if (tops.size > 1) broken.push(node.textContent as string);
          }
          return {
            pageWidth: document.documentElement.scrollWidth as number,
            boxScroll: (box.scrollWidth - box.clientWidth) as number,
            right: Math.max(...cells.map((td: any) => td.getBoundingClientRect().right as number)),
            broken,
            // Each row as it reads on screen: its cells line by line (" / " between lines), left to right.
            rows: [...table.tBodies[0].rows].map((tr: any) => {
              const shown = [...tr.cells]
                .filter((td: any) => td.getClientRects().length > 0 && td.innerText.trim())
                .map((td: any) => {
                  // A cell's label ("created") or unit ("runs") is drawn by the stylesheet, before or after its text.
                  const drawn = (which: string) => {
                    const content = (globalThis as any).getComputedStyle(td, which).content as string;
                    return content.startsWith('"') ? (JSON.parse(content) as string) : '';
                  };
                  return {
                    rect: td.getBoundingClientRect(),
                    text: `${drawn('::before')}${td.innerText}${drawn('::after')}`.replace(/\s+/g, ' ').trim(),
                  };
                })
                .sort((a: any, b: any) => a.rect.top - b.rect.top || a.rect.left - b.rect.left);
              const lines: Array<{ top: number; cells: Array<{ left: number; text: string }> }> = [];
              for (const cell of shown) {
                const line = lines.find((one) => Math.abs(one.top - cell.rect.top) < 6);
                const placed = { left: cell.rect.left as number, text: cell.text as string };
                if (line) line.cells.push(placed);
                else lines.push({ top: cell.rect.top, cells: [placed] });
              }
              return lines
                .map((line) =>
                  line.cells
                    .sort((a, b) => a.left - b.left)
                    .map((cell) => cell.text)
                    .join(' '),
                )
                .join(' / ') as string;
            }),
          };
        });
        expect(layout.pageWidth, path).toBeLessThanOrEqual(390);
        expect(layout.boxScroll, path).toBe(0);
        expect(layout.right, path).toBeLessThanOrEqual(390);
        expect(layout.broken, path).toEqual([]);
        if (path === '/experiments') {
          // The count says what it counts, and the dates which they are, as the headings are hidden.
          expect(layout.rows).toContainEqual(
            expect.stringMatching(
              /^cifar10-sweep Learning-rate sweep .* \d+ runs \/ team= ?vision \/ active (just now|.+ ago) created (just now|.+ ago)$/,
            ),
          );
        }
        if (path === '/models') {
          expect(layout.rows).toContainEqual(
            expect.stringMatching(/^retention-model-with-.* none yet \/ updated (just now|.+ ago)$/),
          );
          // The long name is cut on its line, whole in its title.
          const link = page.locator(`a[title="${modelName}"]`);
          expect(await link.evaluate((a: any) => a.scrollWidth > a.clientWidth)).toBe(true);
        }
        if (path === '/tokens') {
          expect(layout.rows).toContainEqual(
            expect.stringMatching(
              new RegExp(`^${tokenName} Revoke / active scope write id [0-9a-f]{16}( /)? created (just now|.+ ago)$`),
            ),
          );
          // Revoke on the name's line, on screen.
          const revoke = await page.getByRole('button', { name: `Revoke ${tokenName}` }).boundingBox();
          expect(revoke && revoke.x + revoke.width).toBeLessThanOrEqual(390);
        }
      }
      // At a desktop's width the same lists are tables again: the headings say what a cell is, no label in it.
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${local.stack.url}/experiments`);
      await page.locator('table[aria-label="Experiments"] tbody tr').first().waitFor();
      const headings = await page.locator('table[aria-label="Experiments"] thead th').allInnerTexts();
      expect(headings).toEqual(['Name', 'Tags', 'Runs', 'Last activity', 'Created']);
      const cifar = page.locator('table[aria-label="Experiments"] tbody tr', { hasText: 'cifar10-sweep' });
      expect((await cifar.locator('td').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
        expect.stringMatching(/^cifar10-sweep/),
        expect.stringMatching(/^team= ?vision$/),
        expect.stringMatching(/^\d+$/),
        expect.stringMatching(/^(just now|.+ ago)$/),
        expect.stringMatching(/^(just now|.+ ago)$/),
      ]);
    } finally {
      await context.close();
      await local.api.call('DELETE', `/api/v1/admin/tokens/${token.body.token_id}`);
    }
  });

  test("the runs table shows each run's status as a mark and its start whole; a first run's exports wrap; axe finds nothing serious", async () => {
    const empty = await local.api.post('/api/v1/experiments', { experiment_name: 'phone-first-run' });
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/experiments/${ids.experiment}`);
      await page.locator('.runs-grid [role="row"][data-run-id]').first().waitFor();
      const rows = await page.locator('.runs-grid').evaluate((grid: any) => {
        const document = (globalThis as any).document;
        const range = document.createRange();
        return [...grid.querySelectorAll('[role="row"][data-run-id]')].map((row: any) => {
          const status = row.querySelector('[data-column="status"] .status');
          const started = row.querySelector('[data-column="start"]');
          range.selectNodeContents(started);
          return {
            // What a screen reader reads, and what is drawn.
            word: status.textContent as string,
            mark: (globalThis as any).getComputedStyle(status, '::before').content as string,
            markWidth: status.getBoundingClientRect().width as number,
            startedRight: range.getBoundingClientRect().right as number,
            gridRight: grid.getBoundingClientRect().right as number,
          };
        });
      });
      expect(rows.length).toBeGreaterThan(2);
      for (const row of rows) {
        expect(row.mark).toBe(row.word === 'finished' ? '"✓"' : row.word === 'running' ? '"●"' : row.mark);
        expect(row.markWidth).toBeLessThan(24);
        // Before, a "finished" chip pushed Started to the screen's edge: "6 h a".
        expect(row.startedRight).toBeLessThanOrEqual(Math.min(390, row.gridRight));
      }
      expect(new Set(rows.map((row) => row.word))).toEqual(new Set(['finished', 'running']));
      // Beside "N runs · 3 child runs folded under their parents" the order broke over two lines ("newest / first"):
      // it now goes under the count, on one line, on screen.
      const order = page.locator('.runs-footer > :last-child');
      expect(await order.textContent()).toBe('newest first');
      expect(await page.getByTestId('nested-count').textContent()).toContain('child runs folded under their parents');
      const orderBox = await order.evaluate((element: any) => {
        const range = (globalThis as any).document.createRange();
        range.selectNodeContents(element);
        return {
          lines: range.getClientRects().length as number,
          right: element.getBoundingClientRect().right as number,
        };
      });
      expect(orderBox.lines).toBe(1);
      expect(orderBox.right).toBeLessThanOrEqual(390);
      // The filter has the toolbar's whole width for its example (beside Columns it was cut after 27 characters).
      const widths = await page.evaluate(() =>
        ['.toolbar', 'form.filter-box'].map(
          (selector) => (globalThis as any).document.querySelector(selector).getBoundingClientRect().width as number,
        ),
      );
      expect(widths[1]).toBe(widths[0]);
      expect(await seriousViolations(page)).toEqual([]);
      for (const path of ['/experiments', '/models', '/tokens']) {
        await page.goto(`${local.stack.url}${path}`);
        await page.locator('table.stacked tbody tr').first().waitFor();
        expect(await seriousViolations(page), path).toEqual([]);
      }
      // An experiment with no runs: the address and token lines wrap on screen; the Tokens link is underlined.
      await page.goto(`${local.stack.url}/experiments/${empty.body.experiment_id}`);
      const shell = page.locator('pre[aria-label="Shell"]');
      await shell.waitFor();
      expect(await shell.evaluate((pre: any) => pre.scrollWidth - pre.clientWidth)).toBe(0);
      expect(await shell.textContent()).toContain(`MLFLOW_TRACKING_URI=${local.stack.url}`);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test("a run's long Latest metrics list scrolls in its box, which the keyboard reaches and scrolls", async () => {
    const run = await local.api.post(`/api/v1/experiments/${ids.experiment}/runs`, { run_name: 'many-metrics' });
    const runId = run.body.run_id as string;
    // Past 12 names the list gets its filter box, and on a phone it is taller than its 360 px box.
    await logPoints(
      local.api,
      runId,
      Array.from({ length: 16 }, (_, i) => ({
        key: `eval_metric_${i}`,
        value: i / 16,
        step: 0,
        timestamp: Date.now(),
      })),
    );
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/runs/${runId}?tab=overview`);
      const box = page.locator('#latest .table-scroll');
      await box.locator('tbody tr').first().waitFor();
      const scrolled = () => box.evaluate((element: any) => element.scrollTop as number);
      expect(await box.evaluate((element: any) => element.scrollHeight - element.clientHeight)).toBeGreaterThan(0);
      // Tab from the filter box above it lands on the list, not past it; then the arrows scroll it.
      await page.getByRole('searchbox', { name: 'Filter metrics by name' }).focus();
      await page.keyboard.press('Tab');
      expect(await box.evaluate((element: any) => element === (globalThis as any).document.activeElement)).toBe(true);
      expect(await scrolled()).toBe(0);
      await page.keyboard.press('PageDown');
      await expect.poll(scrolled, eventually).toBeGreaterThan(0);
      // axe's scrollable-region-focusable among them: a box a keyboard cannot reach is serious.
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('keyboard', () => {
  test('the Columns menu closes on Escape (focus back on Columns), on a click elsewhere and when focus leaves it', async () => {
    const opened = await open(`/experiments/${ids.experiment}`);
    const { page } = opened;
    try {
      const menu = page.locator('details.column-picker');
      const summary = menu.locator('summary');
      const isOpen = () => menu.evaluate((details: any) => details.open as boolean);
      // The menu lists the keys of the loaded runs.
      await expect
        .poll(async () => Number(await page.locator('.runs-grid').getAttribute('data-loaded-rows')), eventually)
        .toBeGreaterThan(0);
      await summary.focus();
      await page.keyboard.press('Enter');
      expect(await isOpen(), 'opened by Enter').toBe(true);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      // Choosing a column keeps the menu open for the next one.
      await expect.poll(() => page.url()).toContain('col=');
      expect(await isOpen(), 'still open after choosing a column').toBe(true);
      await page.keyboard.press('Escape');
      expect(await isOpen(), 'closed by Escape').toBe(false);
      expect(await summary.evaluate((element: any) => element === (globalThis as any).document.activeElement)).toBe(
        true,
      );

      await summary.click();
      expect(await isOpen(), 'opened by a click').toBe(true);
      await page.locator('main h1').click();
      expect(await isOpen(), 'closed by a click elsewhere').toBe(false);

      await summary.click();
      // Opening reads the keys of runs past their first page: a checkbox can arrive after the one focused
      // (Tab then stays inside) or re-render it away. Tab from the last one again until it stays last.
      await expect
        .poll(async () => {
          await menu.locator('input[type="checkbox"]').last().focus();
          await page.keyboard.press('Tab');
          return isOpen();
        }, eventually)
        .toBe(false);

      // Focus lost to the page (the focused checkbox re-rendered away): Escape still closes the open menu.
      await summary.click();
      await page.evaluate(() => ((globalThis as any).document.activeElement as any)?.blur());
      await page.keyboard.press('Escape');
      expect(await isOpen(), 'closed by Escape with focus on the page').toBe(false);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('choosing columns among many keys', () => {
  test('the Columns menu opens on a box that finds keys by the words of their names', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'wide-telemetry' });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'r' });
    const keys = [
      'train/loss',
      'train/grad_norm',
      'val/loss',
      ...Array.from({ length: 12 }, (_, index) => `train/layer_${String(index).padStart(2, '0')}/grad_norm`),
    ];
    await logPoints(
      local.api,
      run.body.run_id,
      keys.map((key, index) => ({ key, value: index, step: 0, timestamp: Date.now() })),
    );
    const opened = await open(`/experiments/${created.body.experiment_id}`);
    const { page } = opened;
    try {
      await expect
        .poll(async () => Number(await page.locator('.runs-grid').getAttribute('data-loaded-rows')), eventually)
        .toBeGreaterThan(0);
      const menu = page.locator('details.column-picker');
      await menu.locator('summary').focus();
      await page.keyboard.press('Enter');
      const search = menu.getByLabel('Find columns by name');
      await expect
        .poll(() => search.evaluate((input: any) => input === (globalThis as any).document.activeElement), eventually)
        .toBe(true);
      const listed = () => menu.locator('label.checkbox').allTextContents();
      expect(await listed()).toHaveLength(keys.length);
      await page.keyboard.type('layer 07');
      await expect.poll(listed, eventually).toEqual(['train/layer_07/grad_norm']);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      await expect
        .poll(() => new URL(page.url()).searchParams.getAll('col'), eventually)
        .toContain('metrics.train/layer_07/grad_norm');
      await search.fill('f1');
      await expect.poll(() => menu.textContent(), eventually).toContain('No column holds “f1”.');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('the columns shown before any is chosen', () => {
  test("a sweep's varied params come first, before constant ones and per-run paths; held-out measures before other metrics, system/ ones last", async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'default-columns-sweep' });
    const experimentId = created.body.experiment_id;
    for (let index = 0; index < 6; index++) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: `trial-${index}` });
      expect(run.status).toBe(201);
      await local.api.post(`/api/v1/runs/${run.body.run_id}/params`, {
        params: {
          // Alphabetically first, yet the same in every run or different in every run as text: not telling.
          a_optimizer: 'adamw',
          b_output_dir: `/scratch/sweep/trial-${index}`,
          c_augment: index % 2 === 0 ? 'none' : 'randaugment',
          lr: 10 ** -(index + 1),
          model: ['resnet18', 'resnet50', 'vit-b16'][index % 3],
        },
      });
      await logPoints(local.api, run.body.run_id, [
        { key: 'system/cpu_utilization_percentage', value: 50, step: 0, timestamp: Date.now() },
        { key: 'system/gpu_0_memory_usage_megabytes', value: 900, step: 0, timestamp: Date.now() },
        { key: 'val/accuracy', value: 0.8 + index / 100, step: 0, timestamp: Date.now() },
        { key: 'val/loss', value: 0.5 - index / 100, step: 0, timestamp: Date.now() },
        // Alphabetically before val/, and logged by every run: a name of one's own still comes after them.
        { key: 'nan_metric', value: index, step: 0, timestamp: Date.now() },
        { key: 'epoch', value: 3, step: 0, timestamp: Date.now() },
      ]);
    }
    const opened = await open(`/experiments/${experimentId}`);
    const { page } = opened;
    try {
      const headers = () =>
        page.locator('.runs-grid [role="columnheader"]').evaluateAll((cells) =>
          cells
            .map((cell: any) => [cell.querySelector('.kind')?.textContent, cell.querySelector('.label')?.textContent])
            .filter(([kind]) => kind === 'metric' || kind === 'param')
            .map(([kind, label]) => `${kind}:${String(label).trim()}`),
        );
      await expect
        .poll(headers, eventually)
        .toEqual([
          'metric:val/accuracy',
          'metric:val/loss',
          'metric:nan_metric',
          'metric:epoch',
          'param:lr',
          'param:model',
          'param:c_augment',
        ]);
      // The filter's example is written with a varied param too, and finds runs as typed.
      const example = (await page.locator('form.filter-box input').getAttribute('placeholder')) as string;
      expect(example).toMatch(/^metrics\.val\/accuracy >= \S+ AND params\.lr = '/);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('column headers', () => {
  test('a short name is never cut in its header, even over one-digit values when the columns are at their narrowest', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'churn-headers' });
    const experimentId = created.body.experiment_id;
    for (const [index, rate] of [0.1, 0.03, 0.01, 0.3].entries()) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: `gbm-${index}` });
      await local.api.post(`/api/v1/runs/${run.body.run_id}/params`, {
        params: { learning_rate: rate, max_depth: 3 + index, n_estimators: 200, subsample: 0.8 },
      });
      await logPoints(
        local.api,
        run.body.run_id,
        ['test_auc', 'val_loss', 'auc', 'train_loss'].map((key) => ({
          key,
          value: 0.8 + index / 50,
          step: 0,
          timestamp: Date.now(),
        })),
      );
    }
    const opened = await open(`/experiments/${experimentId}`);
    const { page } = opened;
    try {
      const labels = () =>
        page.locator('.runs-grid [role="columnheader"] .label').evaluateAll((spans) =>
          spans.map((span: any) => ({
            text: String(span.textContent).trim(),
            cut: (span.scrollWidth as number) > (span.clientWidth as number),
          })),
        );
      await expect.poll(async () => (await labels()).some(({ text }) => text === 'max_depth'), eventually).toBe(true);
      expect((await labels()).filter(({ cut }) => cut)).toEqual([]);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('selecting runs to compare', () => {
  test('choosing a run does not move the Compare button (a long title above it)', async () => {
    const created = await local.api.post('/api/v1/experiments', {
      experiment_name: 'vit-imagenet-ablations · μP width sweep — Q4 2026 (Zürich cluster, 8×H100)',
    });
    for (const name of ['a', 'b'])
      await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: name });
    const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/experiments/${created.body.experiment_id}`);
      const compare = page.getByRole('button', { name: 'Compare', exact: true });
      await page.getByLabel('Select a', { exact: true }).waitFor();
      const before = await compare.boundingBox();
      await page.getByLabel('Select a', { exact: true }).check();
      await expect
        .poll(() => page.locator('.selection-status, .page-header .actions').first().textContent(), eventually)
        .toContain('1 selected');
      expect(await compare.boundingBox()).toEqual(before);
      await page.getByLabel('Select b', { exact: true }).check();
      expect(await compare.isEnabled()).toBe(true);
      expect(await compare.boundingBox()).toEqual(before);
    } finally {
      await context.close();
    }
  });
});

describe('the filter box', () => {
  test("its example uses this experiment's metric and param names, and typed in as it is, finds runs", async () => {
    await local.api.post(`/api/v1/runs/${ids.curves}/params`, { params: { optimizer: 'adamw' } });
    const opened = await open(`/experiments/${ids.experiment}`);
    const { page } = opened;
    try {
      const box = page.locator('form.filter-box input');
      const grid = page.locator('.runs-grid');
      await expect.poll(async () => Number(await grid.getAttribute('data-loaded-rows')), eventually).toBeGreaterThan(0);
      const example = ((await box.getAttribute('placeholder')) as string).replace(/\s+\(Enter to apply\)$/, '');
      expect(example).toMatch(/^metrics\.(tokens_seen|grad_norm|lr|best_accuracy|val_accuracy) >= \S+ AND params\./);
      await box.fill(example);
      await box.press('Enter');
      await expect.poll(() => page.url()).toContain('filter=');
      await expect.poll(async () => Number(await grid.getAttribute('data-loaded-rows')), eventually).toBeGreaterThan(0);
      expect(await page.locator('.filter-error').count()).toBe(0);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("while the first runs load it shows no example, rather than a generic one that turns into the experiment's own", async () => {
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      let release: () => void = () => undefined;
      const answered = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/v1/runs/search', async (route) => {
        await answered;
        await route.continue();
      });
      await page.goto(`${local.stack.url}/experiments/${ids.experiment}`);
      const box = page.locator('form.filter-box input');
      await box.waitFor();
      expect(await box.getAttribute('placeholder')).toBe('');
      release();
      await expect.poll(() => box.getAttribute('placeholder'), eventually).toMatch(/^metrics\./);
      expect(await box.getAttribute('placeholder')).not.toContain("params.model = 'xgboost'");
    } finally {
      await opened.close();
    }
  });

  test('a filter the API refuses: Columns and the runs choice stay beside the box, and the footer points at the error', async () => {
    const opened = await open(`/experiments/${ids.experiment}?filter=${encodeURIComponent('metrics.loss >> 0.3')}`);
    const { page } = opened;
    try {
      await page.locator('.filter-error').waitFor();
      const tops = await page.evaluate(() =>
        ['form.filter-box input', 'details.column-picker summary', 'select[aria-label="Which runs to show"]'].map(
          (selector) => (globalThis as any).document.querySelector(selector).getBoundingClientRect().top as number,
        ),
      );
      // The error under the box made the row taller and centred the others about 20 px lower.
      expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(1);
      await expect
        .poll(() => page.getByTestId('run-count').textContent(), eventually)
        .toBe('No runs shown: the filter above has an error.');
    } finally {
      await opened.close();
    }
  });

  test('runs without a metric and a param are described by what they have: a tag, their names; typed in, it finds them', async () => {
    const cases: Array<{
      name: string;
      runs: Array<{ run_name: string; tags?: Record<string, string> }>;
      metric?: boolean;
      expected: RegExp;
    }> = [
      {
        name: 'labelled-by-tags',
        runs: [
          { run_name: 'a', tags: { team: 'vision', 'mlflow.user': 'ada' } },
          { run_name: 'b', tags: { team: 'nlp' } },
        ],
        expected: /^tags\.team = '(vision|nlp)'$/,
      },
      {
        name: 'named-in-series',
        runs: [{ run_name: 'bert-base-1' }, { run_name: 'bert-base-2' }],
        expected: /^attributes\.run_name LIKE 'bert-%'$/,
      },
      {
        name: 'a-metric-and-a-tag',
        runs: [{ run_name: 'only-run', tags: { dataset: 'squad' } }],
        metric: true,
        expected: /^metrics\.f1 >= 0\.87 AND tags\.dataset = 'squad'$/,
      },
    ];
    for (const one of cases) {
      const created = await local.api.post('/api/v1/experiments', { experiment_name: `filter-example-${one.name}` });
      for (const run of one.runs) {
        const answer = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, run);
        expect(answer.status).toBe(201);
        if (one.metric)
          await logPoints(local.api, answer.body.run_id, [
            { key: 'f1', value: 0.8731, step: 0, timestamp: Date.now() },
          ]);
      }
      const opened = await open(`/experiments/${created.body.experiment_id}`);
      const { page } = opened;
      try {
        const box = page.locator('form.filter-box input');
        const grid = page.locator('.runs-grid');
        await expect
          .poll(async () => Number(await grid.getAttribute('data-loaded-rows')), eventually)
          .toBe(one.runs.length);
        const example = ((await box.getAttribute('placeholder')) as string).replace(/\s+\(Enter to apply\)$/, '');
        expect(example, one.name).toMatch(one.expected);
        await box.fill(example);
        await box.press('Enter');
        await expect.poll(() => page.url()).toContain('filter=');
        await expect
          .poll(async () => Number(await grid.getAttribute('data-loaded-rows')), eventually)
          .toBeGreaterThan(0);
        expect(await page.locator('.filter-error').count()).toBe(0);
        expect(opened.problems).toEqual([]);
      } finally {
        await opened.close();
      }
    }
  });
});

describe('an experiment with no runs', () => {
  test(
    "shows the lines that log its first run with MLflow's client; run as shown, they log it",
    { timeout: 180_000 },
    async () => {
      // A quote in the name: the Python line must still be one string.
      const name = 'first-run "quoted" experiment';
      const created = await local.api.post('/api/v1/experiments', { experiment_name: name });
      const opened = await open(`/experiments/${created.body.experiment_id}`);
      const { page } = opened;
      try {
        const hint = page.getByTestId('first-run');
        await hint.waitFor();
        expect(await hint.locator('pre').first().textContent()).toContain(`MLFLOW_TRACKING_URI=${local.stack.url}`);
        const python = (await page.getByTestId('first-run-python').textContent()) as string;
        expect(python).toContain('mlflow.set_experiment("first-run \\"quoted\\" experiment")');
        // Both blocks to paste have their Copy button (the exports had none).
        expect(
          await page
            .locator('.first-run-code button')
            .evaluateAll((buttons) => buttons.map((b: any) => b.getAttribute('aria-label'))),
        ).toEqual(['Copy the exports', 'Copy the Python']);
        // Nothing to filter, choose columns of or compare yet: only the lines, not "Columns (0)" over an empty table.
        const runsTools = () =>
          page.evaluate(() =>
            ['.filter-box', 'details.column-picker', 'select[aria-label="Which runs to show"]', '.runs-grid']
              .concat(['.runs-footer', '.selection-status'])
              .filter((selector) => (globalThis as any).document.querySelector(selector) !== null),
          );
        expect(await runsTools()).toEqual([]);
        // Not spawnSync: the test stack answers from this process, so its event loop must keep running.
        await promisify(execFile)('.venv/bin/python', ['-c', python], {
          env: { ...process.env, MLFLOW_TRACKING_URI: local.stack.url, MLFLOW_TRACKING_TOKEN: local.stack.token },
          timeout: 120_000,
        });
        await page.reload();
        const grid = page.locator('.runs-grid');
        await expect.poll(async () => Number(await grid.getAttribute('data-loaded-rows')), eventually).toBe(1);
        expect(await page.getByTestId('first-run').count()).toBe(0);
        expect(await page.locator('.runs-grid a', { hasText: 'baseline' }).count()).toBe(1);
        expect(await runsTools()).toEqual([
          '.filter-box',
          'details.column-picker',
          'select[aria-label="Which runs to show"]',
          '.runs-grid',
          '.runs-footer',
          '.selection-status',
        ]);
        // A filter that finds nothing, or the deleted runs, are not an empty experiment: no first-run lines there.
        await page.goto(`${local.stack.url}/experiments/${created.body.experiment_id}?show=deleted`);
        await expect
          .poll(() => page.locator('.card .empty').textContent(), eventually)
          .toBe('No deleted run in this experiment.');
        expect(await page.getByTestId('first-run').count()).toBe(0);
        expect(opened.problems).toEqual([]);
      } finally {
        await opened.close();
      }
    },
  );

  test('a deleted one says to restore it, not how to log a run it would refuse; the count waits for the first page', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'abandoned-idea' });
    expect((await local.api.call('DELETE', `/api/v1/experiments/${created.body.experiment_id}`)).status).toBe(200);
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      // The runs search answers late: meanwhile the footer says it is loading, not "0 runs loaded".
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/v1/runs/search', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${local.stack.url}/experiments/${created.body.experiment_id}`);
      await page.getByText('Loading runs…').waitFor();
      expect(await page.getByTestId('run-count').count()).toBe(0);
      release();
      await expect.poll(() => page.getByTestId('run-count').textContent(), eventually).toBe('0 runs');
      await expect
        .poll(() => page.locator('.card .empty').textContent(), eventually)
        .toBe(
          'No active runs: a deleted experiment’s runs are deleted with it. Restore it to bring them back and to log new ones.',
        );
      expect(await page.getByTestId('first-run').count()).toBe(0);
      // In the list of deleted experiments it had no runs, not "0 deleted" (as if some had been).
      await page.goto(`${local.stack.url}/experiments?show=deleted&q=abandoned-idea`);
      const row = page.locator('tbody tr', { hasText: 'abandoned-idea' });
      await expect.poll(() => row.locator('td.num').textContent(), eventually).toBe('no runs');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('a wide screen (1440 px)', () => {
  const long = 'bert-ft-02-with-a-really-long-run-name-to-test-truncation-behaviour';
  let experimentId: string;
  let runId: string;
  beforeAll(async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'sentiment-bert-finetune' });
    experimentId = created.body.experiment_id;
    for (const [index, name] of ['bert-ft-00', 'bert-ft-01', long, 'bert-ft-03'].entries()) {
      const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name });
      runId = run.body.run_id;
      await local.api.post(`/api/v1/runs/${runId}/params`, {
        params: { lr: ['2e-05', '3e-05', '5e-05'][index % 3], batch_size: [16, 32][index % 2], epochs: 3 + index },
      });
      await logPoints(
        local.api,
        runId,
        ['test_accuracy', 'val_loss', 'loss', 'accuracy'].map((key, k) => ({
          key,
          value: 0.3 + index / 100 + k / 10,
          step: 0,
          timestamp: Date.now(),
        })),
      );
    }
    // Named as file browsers would not sort them by byte: README.md before config.json, model_10 before model_2.
    for (const path of ['README.md', 'config.json', 'model_10.pt', 'model_2.pt', 'b/x.txt', 'A/y.txt']) {
      await uploadArtifact(local.api, runId, path, Buffer.from(path), 'text/plain');
    }
  });

  const wide = async (path: string) => {
    const context = await session.browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await signInByLink(page, local.stack.url, local.stack.token, path);
    return { page, close: () => context.close() };
  };

  test('a long run name wraps whole in the runs table rather than push the last column past the edge', async () => {
    const { page, close } = await wide(`/experiments/${experimentId}`);
    try {
      await page.locator(`.runs-grid a[title="${long}"]`).waitFor();
      const layout = await page.locator('.runs-grid').evaluate((grid: any) => {
        const heads = [...grid.querySelectorAll('[role="columnheader"]')];
        const last = heads[heads.length - 1];
        return {
          columns: heads.length,
          overflow: (grid.scrollWidth - grid.clientWidth) as number,
          lastRight: last.getBoundingClientRect().right as number,
          gridRight: grid.getBoundingClientRect().right as number,
          lastColumn: last.getAttribute('data-column') as string,
        };
      });
      // Four metrics and three params after the run's own columns: their least widths were 53 px too many.
      expect(layout.columns).toBe(1 + 4 + 4 + 3);
      expect(layout.lastColumn).toMatch(/^params\./);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.lastRight).toBeLessThanOrEqual(layout.gridRight + 0.5);
      const lines = await page.locator(`.runs-grid a[title="${long}"]`).evaluate(textLines);
      expect(lines.length).toBe(2);
      expectWholeAtSeparators(lines, long, 'runs table');
      // Its row grows to hold both lines; the next row starts below it.
      const rows = await page
        .locator('.runs-grid [role="row"][data-run-id]')
        .evaluateAll((all) =>
          all.map((row: any) => ({ top: row.getBoundingClientRect().top, bottom: row.getBoundingClientRect().bottom })),
        );
      rows.slice(1).forEach((row, index) => expect(row.top).toBeGreaterThanOrEqual((rows[index]?.bottom ?? 0) - 1.5));
    } finally {
      await close();
    }
  });

  test("a run's page: Rename and Delete on the title's line, its facts under Details, its artifacts counted on their tab and listed as file browsers list them", async () => {
    const { page, close } = await wide(`/runs/${runId}?tab=overview`);
    try {
      await page.locator('#overview').waitFor();
      // The title is followed by its "started …" line: the buttons were at that line's height.
      const centres = async () =>
        page.evaluate(() => {
          const document = (globalThis as any).document;
          const centre = (element: any) => {
            const rect = element.getBoundingClientRect();
            return rect.top + rect.height / 2;
          };
          return {
            title: centre(document.querySelector('.page-header h1')),
            button: centre(document.querySelector('.page-header .actions button')),
          };
        });
      const run = await centres();
      expect(Math.abs(run.button - run.title)).toBeLessThanOrEqual(3);
      expect(await page.locator('#overview-title').textContent()).toBe('Details');
      await expect
        .poll(() => page.locator('[role="tab"]#tab-artifacts').textContent(), eventually)
        .toBe('Artifacts (6)');

      await page.click('[role="tab"]#tab-artifacts');
      const tree = page.locator('.artifact-tree');
      await tree.locator('button[data-path="README.md"]').waitFor();
      for (const folder of ['A', 'b']) {
        await tree.locator(`button[data-folder="${folder}"]`).click();
        await tree.locator(`button[data-path^="${folder}/"]`).first().waitFor();
      }
      expect(await tree.locator('.node .name').allTextContents()).toEqual([
        'A/',
        'y.txt',
        'b/',
        'x.txt',
        'config.json',
        'model_2.pt',
        'model_10.pt',
        'README.md',
      ]);
      // The tree's border runs the whole height of the preview beside it.
      await tree.locator('button[data-path="README.md"]').click();
      await page.locator('.artifact-preview .markdown').waitFor();
      const heights = await page.evaluate(() => {
        const document = (globalThis as any).document;
        return [document.querySelector('.artifacts'), document.querySelector('.artifact-tree')].map(
          (element: any) => element.getBoundingClientRect().height as number,
        );
      });
      expect(heights[1]).toBe(heights[0]);

      await page.goto(`${local.stack.url}/experiments/${experimentId}`);
      await page.locator('.runs-grid a').first().waitFor();
      const experiment = await centres();
      expect(Math.abs(experiment.button - experiment.title)).toBeLessThanOrEqual(3);
    } finally {
      await close();
    }
  });
});

describe('dark mode', () => {
  test('the alias history\'s "As of" field looks like the Alias select beside it, not a grey native box', async () => {
    expect((await local.api.post('/api/v1/models', { name: 'dark-mode-model' })).status).toBe(201);
    const context = await session.browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      // Filtered by an alias (the filters are shown once there is a history, or when an alias is asked for).
      await signInByLink(page, local.stack.url, local.stack.token, '/models/dark-mode-model?alias=prod');
      const history = page.locator('#alias-history');
      const look = (selector: string) =>
        history.locator(selector).evaluate((element: any) => {
          const style = (globalThis as any).getComputedStyle(element);
          return { background: style.backgroundColor, border: style.borderTopColor, color: style.color };
        });
      await history.locator('input[type="datetime-local"]').waitFor();
      expect(await look('input[type="datetime-local"]')).toEqual(await look('select'));
    } finally {
      await context.close();
    }
  });
});

describe('long names on a phone (390 px wide)', () => {
  test("a run's breadcrumb keeps a long experiment name on one line, cut with …, whole in its tooltip", async () => {
    const experimentName = 'customer-lifetime-value-gradient-boosted-ensemble-with-temporal-cross-validation-q4-2026';
    const created = await local.api.post('/api/v1/experiments', { experiment_name: experimentName });
    const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, { run_name: 'gbm-1' });
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/runs/${run.body.run_id}`);
      const crumb = page.locator('nav.breadcrumb');
      await expect.poll(() => crumb.locator('a').nth(1).textContent(), eventually).toBe(experimentName);
      const parts = await crumb.evaluate((nav: any) =>
        [...nav.children].map((child: any) => {
          const box = child.getBoundingClientRect();
          return { text: child.textContent as string, top: Math.round(box.top), right: box.right };
        }),
      );
      // "Experiments / <name> /" on one line, the last "/" on screen.
      expect(new Set(parts.map((part) => part.top)).size, JSON.stringify(parts)).toBe(1);
      expect(Math.max(...parts.map((part) => part.right))).toBeLessThanOrEqual(390);
      const lines = await crumb.evaluate(
        (nav: any) =>
          nav.getBoundingClientRect().height / parseFloat((globalThis as any).getComputedStyle(nav).lineHeight),
      );
      expect(lines).toBeLessThan(1.5);
      expect(await crumb.locator('a').nth(1).getAttribute('title')).toBe(experimentName);
    } finally {
      await context.close();
    }
  });
});

describe('ids on a phone (390 px wide)', () => {
  test("a run's id and git commit are shown whole on the Overview, wrapped inside the screen (no hover shows a tooltip there), and copied by their Copy button", async () => {
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: local.stack.url });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/runs/${ids.curves}?tab=overview`);
      for (const [row, value] of [
        ['Run ID', ids.curves],
        ['Git commit', gitCommit],
      ] as const) {
        const cell = page.locator('#overview tr', { has: page.locator(`th:text-is("${row}")`) }).locator('td');
        await expect.poll(() => cell.locator('code').count(), eventually).toBe(1);
        const shown = await cell.evaluate((td: any) => {
          const code = td.querySelector('code');
          const box = code.getBoundingClientRect();
          const lineHeight = parseFloat((globalThis as any).getComputedStyle(code).lineHeight) || 18;
          return {
            text: code.textContent,
            lines: box.height / lineHeight,
            // What the box clips of its text: nothing, when the id is whole on screen.
            clipped: code.scrollWidth - code.clientWidth,
            right: Math.max(
              box.right,
              ...[...td.querySelectorAll('button')].map((b: any) => b.getBoundingClientRect().right),
            ),
            cardRight: td.closest('.card').getBoundingClientRect().right,
            viewport: (globalThis as any).innerWidth,
            pageWidth: (globalThis as any).document.documentElement.scrollWidth,
            title: code.getAttribute('title'),
          };
        });
        expect(shown.text, row).toBe(value);
        expect(shown.clipped, row).toBeLessThanOrEqual(0);
        expect(shown.lines, row).toBeLessThan(3.5);
        expect(shown.right, row).toBeLessThanOrEqual(shown.cardRight);
        expect(shown.right, row).toBeLessThanOrEqual(shown.viewport);
        expect(shown.pageWidth, row).toBeLessThanOrEqual(390);
        expect(shown.title, row).toBe(value);
        await cell.getByRole('button', { name: /^Copy/ }).click();
        await expect.poll(() => cell.getByRole('button').textContent(), eventually).toBe('Copied');
        expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText()), row).toBe(value);
      }
    } finally {
      await context.close();
    }
  });
});

describe("a model's aliases on a phone (390 px wide)", () => {
  test('each alias, its version and its Move and Remove buttons fit on one line, on screen; so does each move in the history', async () => {
    await uploadArtifact(local.api, ids.curves, 'model/model.pkl', Buffer.from('weights'), 'application/octet-stream');
    const model = 'cifar10-resnet';
    expect((await local.api.post('/api/v1/models', { name: model })).status).toBe(201);
    for (let version = 1; version <= 2; version++) {
      const registered = await local.api.post(`/api/v1/models/${model}/versions`, {
        run_id: ids.curves,
        artifact_path: 'model',
      });
      expect(registered.status).toBe(201);
    }
    for (const [alias, version] of [
      ['champion', 1],
      ['champion', 2],
      ['challenger', 1],
      // A long alias wraps in its chip; Move and Remove stay on screen.
      ['challenger-with-a-long-alias-name', 2],
    ] as const) {
      expect((await local.api.call('PUT', `/api/v1/models/${model}/aliases/${alias}`, { version })).status).toBe(200);
    }
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/models/${model}`);
      const rows = page.locator('table[aria-label="Aliases"] tbody tr');
      await expect.poll(() => rows.count(), eventually).toBe(3);
      const layout = await rows.evaluateAll((trs) =>
        trs.map((tr: any) => {
          const link = tr.querySelector('a');
          const buttons = [...tr.querySelectorAll('button')] as any[];
          return {
            version: link.textContent as string,
            // "Version" over "2": the link's boxes at two heights.
            versionLines: new Set([...link.getClientRects()].map((rect: any) => Math.round(rect.top))).size,
            buttonsRight: Math.max(...buttons.map((button) => button.getBoundingClientRect().right)),
            buttonTops: new Set(buttons.map((button) => Math.round(button.getBoundingClientRect().top))).size,
          };
        }),
      );
      for (const row of layout) {
        expect(row.versionLines, row.version).toBe(1);
        expect(row.buttonTops, `Move and Remove beside each other (${row.version})`).toBe(1);
        expect(row.buttonsRight, `Remove on screen (${row.version})`).toBeLessThanOrEqual(390);
      }

      // The alias history: what changed and when, both on screen, each move on its own two lines.
      const history = page.locator('table[aria-label="Alias history"] tbody tr');
      await expect.poll(() => history.count(), eventually).toBe(4);
      const moves = await history.evaluateAll((trs) =>
        trs.map((tr: any) => {
          const box = (selector: string) => tr.querySelector(selector).getBoundingClientRect();
          return {
            change: tr.querySelector('td.change').textContent as string,
            changeRight: box('td.change').right,
            whenRight: box('td.when').right,
            byRight: box('td.by').right,
            // The alias and its change on the first line, the date under them.
            changeBelowAlias: box('td.change').top - box('td.alias').top,
            whenBelowChange: box('td.when').top - box('td.change').bottom,
          };
        }),
      );
      expect(moves.map((move) => move.change)).toContain('moved v1 → v2');
      for (const move of moves) {
        expect(move.changeRight, move.change).toBeLessThanOrEqual(378);
        expect(move.whenRight, move.change).toBeLessThanOrEqual(378);
        expect(move.byRight, move.change).toBeLessThanOrEqual(378);
        expect(Math.abs(move.changeBelowAlias), move.change).toBeLessThan(4);
        expect(move.whenBelowChange, move.change).toBeGreaterThanOrEqual(-1);
      }
      const scroller = page.locator('#alias-history .table-scroll');
      expect(await scroller.evaluate((element: any) => element.scrollWidth - element.clientWidth)).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe("a model's alias history", () => {
  test('before any alias is set it just says so, without filters or column headers; they come with the first alias', async () => {
    const model = 'churn-gbm-no-aliases';
    expect((await local.api.post('/api/v1/models', { name: model })).status).toBe(201);
    const opened = await open(`/models/${model}`);
    const { page } = opened;
    try {
      const card = page.locator('#alias-history');
      await expect.poll(() => card.locator('.empty').textContent(), eventually).toBe('No alias was ever set.');
      expect(await card.locator('select, input, thead').count()).toBe(0);

      // An alias named in the address that was never set: the filter stays (to choose another), naming it.
      await page.goto(`${local.stack.url}/models/${model}?alias=prod`);
      await expect.poll(() => card.locator('.empty').textContent(), eventually).toBe('@prod was never set.');
      expect(await card.locator('select').inputValue()).toBe('prod');
      expect(await card.locator('thead').count()).toBe(0);

      await uploadArtifact(local.api, ids.once, 'model/model.pkl', Buffer.from('w'), 'application/octet-stream');
      const registered = await local.api.post(`/api/v1/models/${model}/versions`, {
        run_id: ids.once,
        artifact_path: 'model',
      });
      expect(registered.status).toBe(201);
      expect((await local.api.call('PUT', `/api/v1/models/${model}/aliases/prod`, { version: 1 })).status).toBe(200);
      await page.goto(`${local.stack.url}/models/${model}`);
      await expect.poll(() => card.locator('tbody tr').count(), eventually).toBe(1);
      expect(await card.locator('select').count()).toBe(1);
      expect(await card.getByLabel('As of').count()).toBe(1);
      expect(await card.locator('.empty').count()).toBe(0);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('descriptions and dates', () => {
  test("a model's and a version's description keep their line breaks, on their pages and in the lists", async () => {
    const model = 'readmission-risk-gbm';
    const description = 'Gradient-boosted readmission risk.\nServed by the scoring API.';
    expect((await local.api.post('/api/v1/models', { name: model, description })).status).toBe(201);
    await uploadArtifact(local.api, ids.once, 'readmission/model.pkl', Buffer.from('w'), 'application/octet-stream');
    const version = await local.api.post(`/api/v1/models/${model}/versions`, {
      run_id: ids.once,
      artifact_path: 'readmission',
      description: 'Retrained on Q3.\nCalibrated with isotonic regression.',
    });
    expect(version.status).toBe(201);
    const opened = await open(`/models/${model}`);
    const { page } = opened;
    const lines = (locator: ReturnType<Page['locator']>) =>
      locator.evaluate((element: any) => {
        const style = (globalThis as any).getComputedStyle(element);
        return Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight));
      });
    try {
      const header = page.locator('.page-header');
      await expect.poll(() => header.textContent(), eventually).toContain('Served by the scoring API.');
      expect(await lines(header.getByText('Gradient-boosted readmission risk.', { exact: false }))).toBe(2);
      const versionRow = page.locator('tr', { hasText: 'Version 1' });
      await expect.poll(() => versionRow.textContent(), eventually).toContain('isotonic');
      expect(await lines(versionRow.getByText('Retrained on Q3.', { exact: false }))).toBe(2);

      await page.goto(`${local.stack.url}/models/${model}/versions/1`);
      await expect.poll(() => header.textContent(), eventually).toContain('isotonic');
      expect(await lines(header.getByText('Retrained on Q3.', { exact: false }))).toBe(2);

      await page.goto(`${local.stack.url}/models`);
      const modelRow = page.locator('tr', { hasText: model });
      await expect.poll(() => modelRow.textContent(), eventually).toContain('scoring API');
      expect(await lines(modelRow.getByText('Gradient-boosted readmission risk.', { exact: false }))).toBe(2);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("a note's markdown (bold, code, links) reads as MLflow shows it; a script link stays text", async () => {
    const note =
      'μP sweep; **baseline** is `vit-b16-base`, see [the report](https://example.com/r?id=7).\n[bad](javascript:alert(1)) *draft*';
    const created = await local.api.post('/api/v1/experiments', {
      experiment_name: 'markdown-note',
      tags: { 'mlflow.note.content': note },
    });
    const opened = await open(`/experiments/${created.body.experiment_id}`);
    const { page } = opened;
    try {
      const description = page.locator('.page-header .description');
      await expect.poll(() => description.locator('strong').textContent(), eventually).toBe('baseline');
      expect(await description.locator('code').textContent()).toBe('vit-b16-base');
      expect(await description.locator('em').textContent()).toBe('draft');
      const links = await description
        .locator('a')
        .evaluateAll((all) => all.map((a: any) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]));
      expect(links).toEqual([['the report', 'https://example.com/r?id=7', 'noopener noreferrer']]);
      const text = (await description.textContent()) as string;
      expect(text).not.toContain('**');
      expect(text).toContain('[bad](javascript:alert(1))');

      await page.goto(`${local.stack.url}/experiments`);
      const row = page.locator('table[aria-label="Experiments"] tbody tr', { hasText: 'markdown-note' });
      await expect.poll(() => row.locator('.note-preview strong').textContent(), eventually).toBe('baseline');
      expect(await row.locator('.note-preview').getAttribute('title')).toBe(note);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('"just now", "6 min ago" stay on one line in the lists, however narrow their column', async () => {
    // Wide neighbours squeeze the date columns of a 1280-px window.
    await local.api.post('/api/v1/experiments', {
      experiment_name: 'vit-imagenet-ablations · größe/μP sweep — Q4 2026 (Zürich cluster, 8×H100)',
      tags: { project: 'foundation-models-and-their-friends', team: 'vision-and-language' },
    });
    await local.api.post('/api/v1/models', {
      name: 'vit-b16-imagenet-classifier-with-a-long-name',
      description:
        'ViT-B/16 fine-tuned on ImageNet-1k with mixup, cutmix and random erasing; served by the vision API.',
      tags: { owner: 'vision-team-zurich', task: 'image-classification', dataset: 'imagenet-1k-2026' },
    });
    const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      for (const path of ['/experiments', '/models']) {
        await signInByLink(page, local.stack.url, local.stack.token, path);
        await page.locator('main table tbody tr').first().waitFor();
        const dates = await page.locator('main table tbody td').evaluateAll((cells) =>
          cells
            .filter((cell: any) => /(ago|just now)$/.test((cell.textContent as string).replace(/\s/g, ' ').trim()))
            .map((cell: any) => {
              const range = (globalThis as any).document.createRange();
              range.selectNodeContents(cell);
              const lines = new Set([...range.getClientRects()].map((rect: any) => Math.round(rect.top)));
              return { text: cell.textContent as string, lines: lines.size };
            }),
        );
        expect(dates.length, path).toBeGreaterThan(0);
        for (const date of dates) expect(date.lines, `${path}: "${date.text}"`).toBe(1);
      }
    } finally {
      await context.close();
    }
  });
});

describe('the best value of each metric among compared runs', () => {
  test('is marked, lowest for a loss and highest for an accuracy, every tie included, never NaN or a missing value; a flipped direction is kept in the URL', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'best-marks' });
    const logged: Array<Record<string, number>> = [
      { val_loss: 0.31, accuracy: 0.9, margin: 2, 'system/cpu_utilization_percentage': 80 },
      { val_loss: 0.22, accuracy: 0.95, margin: Number.NaN, 'system/cpu_utilization_percentage': 20 },
      { val_loss: Number.NaN, accuracy: 0.95, margin: 5, 'system/cpu_utilization_percentage': 50 },
      { accuracy: 0.5, margin: 3 },
    ];
    const runIds: string[] = [];
    for (const [index, metrics] of logged.entries()) {
      const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, {
        run_name: `run-${index}`,
      });
      runIds.push(run.body.run_id);
      await logPoints(
        local.api,
        run.body.run_id,
        Object.entries(metrics).map(([key, value]) => ({
          key,
          // NaN is logged as MLflow's clients send it over JSON.
          value: Number.isNaN(value) ? ('NaN' as unknown as number) : value,
          step: 0,
          timestamp: Date.now(),
        })),
      );
    }
    const opened = await open(`/compare?runs=${runIds.join(',')}`);
    const { page } = opened;
    try {
      const table = page.locator('table[aria-label="Compared runs"]');
      await expect.poll(() => table.locator('tbody tr').count(), eventually).toBe(4);
      // Which rows (runs) hold the marked value, per metric column.
      const marked = () =>
        table.evaluate((element: any) => {
          const heads = [...element.querySelectorAll('thead th')].map((th: any) => th.firstChild.textContent as string);
          const byMetric: Record<string, number[]> = {};
          [...element.querySelectorAll('tbody tr')].forEach((tr: any, row: number) =>
            [...tr.children].forEach((td: any, column: number) => {
              if (!td.classList.contains('best')) return;
              const metric = heads[column] as string;
              (byMetric[metric] ??= []).push(row);
            }),
          );
          return { heads, byMetric };
        });
      await expect
        .poll(async () => (await marked()).byMetric, eventually)
        .toEqual({
          val_loss: [1],
          accuracy: [1, 2],
          margin: [2],
        });
      // The machine's readings: no best, and after the model's metrics.
      expect((await marked()).heads.slice(-1)).toEqual(['system/cpu_utilization_percentage']);
      expect(await table.locator('td.best').first().textContent()).toContain('(best)');
      // A column shares its decimals, so digits line up by place: 0.5 reads 0.50000 under 0.95000.
      const accuracy = await table.evaluate((element: any) => {
        const column = [...element.querySelectorAll('thead th')].findIndex(
          (th: any) => th.firstChild.textContent === 'accuracy',
        );
        return [...element.querySelectorAll('tbody tr')].map(
          (tr: any) => tr.children[column].firstChild.textContent as string,
        );
      });
      expect(accuracy).toEqual(['0.90000', '0.95000', '0.95000', '0.50000']);

      // "margin" is better small here: flipped, then kept through a reload.
      await page.getByRole('button', { name: /^margin: higher is better/ }).click();
      await page.waitForURL(/[?&]lower=margin(&|$)/);
      await expect.poll(async () => (await marked()).byMetric.margin, eventually).toEqual([0]);
      await page.reload();
      await expect.poll(async () => (await marked()).byMetric.margin, eventually).toEqual([0]);
      // Flipped back it is the guess again, and leaves the URL.
      await page.getByRole('button', { name: /^margin: lower is better/ }).click();
      await expect.poll(async () => (await marked()).byMetric.margin, eventually).toEqual([2]);
      expect(page.url()).not.toContain('margin');
    } finally {
      await opened.close();
    }
  });
});

describe('comparing more runs than there are colours', () => {
  test('the 11th run is drawn dashed and the 21st dotted, in the legend and the runs table alike, not as twins of the 1st', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'lr-grid-24' });
    const runIds: string[] = [];
    for (let index = 0; index < 22; index++) {
      const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, {
        run_name: `lr-${index}`,
      });
      runIds.push(run.body.run_id);
      await logPoints(
        local.api,
        run.body.run_id,
        Array.from({ length: 3 }, (_, step) => ({ key: 'acc', value: index / 30 + step / 10, step, timestamp: step })),
      );
    }
    const opened = await open(`/compare?runs=${runIds.join(',')}`);
    const { page } = opened;
    try {
      // Below a 22-row table: the chart is built once it scrolls near the screen.
      await page.locator('.chart-card', { has: page.locator('h3:text-is("acc")') }).scrollIntoViewIfNeeded();
      const area = await readyChart(page, 'acc');
      const markers = await area
        .locator('.u-legend .u-series:not(:first-child) .u-marker')
        .evaluateAll((all) =>
          all.map((marker: any) => [
            (globalThis as any).getComputedStyle(marker).borderBottomStyle as string,
            (globalThis as any).getComputedStyle(marker).borderBottomColor as string,
          ]),
        );
      expect(markers).toHaveLength(22);
      expect(markers[0]?.[0]).toBe('solid');
      expect(markers[10]).toEqual(['dashed', markers[0]?.[1]]);
      expect(markers[20]).toEqual(['dotted', markers[0]?.[1]]);
      const swatches = await page
        .locator('#compared-runs tbody .legend-swatch')
        .evaluateAll((all) => all.map((swatch: any) => swatch.dataset.line as string | undefined));
      expect(swatches.slice(0, 22)).toEqual([
        ...Array(10).fill('solid'),
        ...Array(10).fill('dashed'),
        'dotted',
        'dotted',
      ]);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('comparing runs on a phone (390 px wide)', () => {
  test('run names, statuses and start times stay on one line; metrics and params are listed a run a line', async () => {
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      const compared = [ids.curves, ids.once, ...ids.trials];
      await signInByLink(page, local.stack.url, local.stack.token, `/compare?runs=${compared.join(',')}`);
      const rows = page.locator('#compared-runs table tbody tr');
      await expect.poll(() => rows.count(), eventually).toBe(compared.length);
      // One line of text per cell: no "trial-" over "0", no "3 h" over "ago".
      const wrapped = await rows.evaluateAll((trs) =>
        trs.flatMap((tr: any) =>
          [...tr.querySelectorAll('td')]
            .filter(
              (td: any) =>
                td.getClientRects()[0].height > 2.2 * parseFloat((globalThis as any).getComputedStyle(td).lineHeight),
            )
            .map((td: any) => td.textContent as string),
        ),
      );
      expect(wrapped).toEqual([]);
      // Each run's name beside a metric's or a param's value holds one line too (these are short; a long one wraps).
      const names = await page
        .locator('table:is([aria-label="Latest metrics by run"], [aria-label="Params by run"]) th[scope="row"]')
        .evaluateAll((ths) => ths.map((th: any) => Math.round(th.getBoundingClientRect().height)));
      expect(names.length).toBeGreaterThanOrEqual(2 * compared.length);
      expect(Math.max(...names)).toBeLessThan(48);
    } finally {
      await context.close();
    }
  });
});

describe('parallel coordinates on a phone (390 px wide)', () => {
  test('each axis is named whole, the names taking turns on two lines where they would run into each other', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'phone-parallel' });
    const runIds: string[] = [];
    for (const [index, optimizer] of ['adam', 'sgd', 'adam', 'adamw'].entries()) {
      const run = await local.api.post(`/api/v1/experiments/${created.body.experiment_id}/runs`, {
        run_name: `sweep-${index}`,
        params: {
          batch_size: String(32 << index),
          epochs: String(4 + index),
          lr: String(10 ** -(index + 2)),
          optimizer,
        },
        metrics: [{ key: 'accuracy', value: 0.9 + index / 100, step: 0 }],
      });
      runIds.push(run.body.run_id);
    }
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/compare?runs=${runIds.join(',')}&pm=accuracy`);
      const titles = page.locator('#parallel .parallel-axis .axis-title');
      await expect.poll(() => titles.count(), eventually).toBe(5);
      const boxes = await titles.evaluateAll((all) =>
        all.map((title: any) => {
          const box = title.getBoundingClientRect();
          return { text: title.firstChild.textContent as string, left: box.left, right: box.right, top: box.top };
        }),
      );
      // Cut to the room between two axes they read "batch…", "optim…" and "accur…".
      expect(boxes.map((box) => box.text)).toEqual(['batch_size', 'epochs', 'lr', 'optimizer', 'accuracy']);
      const overlapping = boxes.filter((box, index) =>
        boxes.some(
          (other, at) =>
            at !== index && Math.abs(other.top - box.top) < 4 && other.left < box.right && box.left < other.right,
        ),
      );
      expect(overlapping).toEqual([]);
      expect(Math.min(...boxes.map((box) => box.left))).toBeGreaterThanOrEqual(0);
      expect(Math.max(...boxes.map((box) => box.right))).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  });
});

describe('artifacts and compare, read closely', () => {
  test('a CSV preview right-aligns its numeric columns and leaves text on the left', async () => {
    const csv = [
      'model,accuracy,loss,note',
      'resnet18,0.9134,1.2e-03,baseline',
      'vit-b16,0.95,nan,',
      'mlp,-0.5,.25,tiny',
    ];
    await uploadArtifact(local.api, ids.once, 'eval/summary.csv', Buffer.from(`${csv.join('\n')}\n`), 'text/csv');
    const opened = await open(`/runs/${ids.once}`);
    const { page } = opened;
    try {
      await page.click('[role="tab"]:text("Artifacts")');
      // Folders open on demand (the tab reads a level at a time).
      await page.click('.artifact-tree button[data-folder="eval"]');
      await page.click('.artifact-tree button[data-path="eval/summary.csv"]');
      const table = page.locator('.artifact-preview table.csv-preview');
      await table.waitFor();
      const alignment = (cells: any[]) => cells.map((cell) => (globalThis as any).getComputedStyle(cell).textAlign);
      expect(await table.locator('thead th').evaluateAll(alignment)).toEqual(['left', 'right', 'right', 'left']);
      expect(await table.locator('tbody tr').first().locator('td').evaluateAll(alignment)).toEqual([
        'left',
        'right',
        'right',
        'left',
      ]);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("the scatter plot's labels are as legible on a phone as on a laptop, the metric's name beside its axis", async () => {
    for (const [index, trial] of ids.trials.entries()) {
      await local.api.post(`/api/v1/runs/${trial}/params`, { params: { learning_rate: 10 ** -(index + 1) } });
    }
    for (const width of [390, 1280]) {
      const context = await session.browser.newContext({ viewport: { width, height: 844 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      try {
        const path = `/compare?runs=${ids.trials.join(',')}&sx=learning_rate&sy=val_accuracy`;
        await signInByLink(page, local.stack.url, local.stack.token, path);
        const svg = page.locator('#scatter svg');
        await svg.waitFor();
        await expect.poll(() => page.locator('#scatter circle').count(), eventually).toBe(3);
        const layout = await svg.evaluate((element: any) => {
          const box = (node: any) => node.getBoundingClientRect();
          const texts = [...element.querySelectorAll('text')] as any[];
          // The axis titles are the param's and the metric's names; the y title is the rotated one.
          const isTitle = (text: any) => /^(learning_rate|val_accuracy)/.test(text.textContent);
          const titles = texts.filter(isTitle);
          const ticks = texts.filter((text) => !isTitle(text));
          const yTitle = titles.find((text) => text.getAttribute('transform')?.includes('rotate'));
          const yTicks = ticks.filter((text) => text.getAttribute('text-anchor') === 'end');
          return {
            svg: { left: box(element).left, right: box(element).right },
            // A label's ink is as tall as its type: ~8 px of a 6 px font is unreadable.
            tickHeights: ticks.map((text) => box(text).height),
            titleHeights: titles.map((text) => Math.min(box(text).width, box(text).height)),
            yTitle: { left: box(yTitle).left, right: box(yTitle).right, text: yTitle.textContent },
            yTicksLeft: Math.min(...yTicks.map((text) => box(text).left)),
          };
        });
        expect(Math.min(...layout.tickHeights), `ticks at ${width} px`).toBeGreaterThanOrEqual(12);
        expect(Math.min(...layout.titleHeights), `axis titles at ${width} px`).toBeGreaterThanOrEqual(13);
        expect(layout.yTitle.text).toContain('val_accuracy');
        // The metric's name sits left of the tick labels, next to them, and inside the figure.
        expect(layout.yTitle.left).toBeGreaterThanOrEqual(layout.svg.left);
        expect(layout.yTitle.right).toBeLessThan(layout.yTicksLeft);
        expect(layout.yTicksLeft - layout.yTitle.right).toBeLessThan(24);
      } finally {
        await context.close();
      }
    }
  });
  test('the scatter plot spreads a param swept over decades on a log axis, kept in the URL; a value of 0 rules it out', async () => {
    for (const [index, trial] of ids.trials.entries()) {
      await local.api.post(`/api/v1/runs/${trial}/params`, {
        params: { weight_decay: 10 ** -(2 * index + 1), dropout: index / 10 },
      });
    }
    const opened = await open(`/compare?runs=${ids.trials.join(',')}&sx=weight_decay&sy=val_accuracy`);
    const { page } = opened;
    /** The points' x in the plot, left to right, once all three are drawn. */
    const pointXs = async () => {
      await expect.poll(() => page.locator('#scatter circle').count(), eventually).toBe(3);
      const xs = await page
        .locator('#scatter circle')
        .evaluateAll((circles) => circles.map((circle: any) => Number(circle.getAttribute('cx'))));
      return xs.sort((a, b) => a - b);
    };
    const gaps = (xs: number[]): [number, number] => [
      (xs[1] as number) - (xs[0] as number),
      (xs[2] as number) - (xs[1] as number),
    ];
    try {
      const logX = page.getByLabel('Log x');
      await logX.waitFor();
      // 0.1, 0.001 and 0.00001 on a linear axis: two points on top of each other at the left.
      const [linearLeft, linearRight] = gaps(await pointXs());
      expect(linearRight).toBeGreaterThan(linearLeft * 20);

      await logX.check();
      await page.waitForURL(/sxlog=1/);
      const [left, right] = gaps(await pointXs());
      expect(Math.abs(left - right)).toBeLessThan(1);
      expect(left).toBeGreaterThan(100);
      const ticks = await page.locator('#scatter text[text-anchor="middle"]:not(.axis-title)').allTextContents();
      expect(ticks).toEqual(expect.arrayContaining(['1e-5', '0.001', '0.1']));

      // A shared link or a reload draws the same log axis.
      await page.reload();
      expect(await page.getByLabel('Log x').isChecked()).toBe(true);
      const [reloadedLeft, reloadedRight] = gaps(await pointXs());
      expect(Math.abs(reloadedLeft - reloadedRight)).toBeLessThan(1);

      // The metric's axis can be logarithmic too; a param with a 0 cannot, and says why.
      expect(await page.getByLabel('Log y').isEnabled()).toBe(true);
      await page.locator('#scatter select').first().selectOption('dropout');
      await expect.poll(() => page.getByLabel('Log x').isDisabled(), eventually).toBe(true);
      expect(await page.getByLabel('Log x').isChecked()).toBe(false);
      expect(await page.locator('#scatter label', { hasText: 'Log x' }).getAttribute('title')).toContain('0 or below');
      const [dropoutLeft, dropoutRight] = gaps(await pointXs());
      expect(Math.abs(dropoutLeft - dropoutRight)).toBeLessThan(1);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('tokens', () => {
  test('an admin creates a write token for a training job, sees it once with the lines that use it, and revokes it', async () => {
    const opened = await open('/experiments');
    const { page } = opened;
    try {
      await page.click('.topbar nav a:text("Tokens")');
      await page.waitForURL('**/tokens');
      const own = page.locator('table[aria-label="Tokens"] tr', { hasText: 'this tab' });
      await own.waitFor();
      expect(await own.locator('td').nth(1).textContent()).toMatch(/^(admin|operator)$/);

      await page.click('button:text("New token")');
      await page.fill('dialog input[type="text"]', 'gpu-cluster');
      await page.selectOption('dialog select', 'write');
      await page.click('dialog button[type="submit"]');
      const secret = page.locator('[data-testid="new-token"]');
      await secret.waitFor();
      const token = (await secret.textContent()) as string;
      // The token shown works, with the scope chosen; the lines under it carry it.
      const asJob = apiClient(local.stack.url, token);
      expect((await asJob.get('/api/v1/experiments')).status).toBe(200);
      expect((await asJob.post('/api/v1/experiments', { experiment_name: 'from-the-cluster' })).status).toBe(201);
      expect((await asJob.get('/api/v1/admin/tokens')).status).toBe(403);
      expect(await page.locator('.created-token pre').textContent()).toContain(`MLFLOW_TRACKING_TOKEN=${token}`);

      const row = page.locator('table[aria-label="Tokens"] tr', { hasText: 'gpu-cluster' });
      await row.waitFor();
      await row.getByRole('button', { name: 'Revoke gpu-cluster' }).click();
      await page.click('dialog button[type="submit"]');
      await expect.poll(() => row.locator('td').nth(4).textContent(), eventually).toMatch(/^revoked/);
      // Once revoked, the secret is no longer on screen.
      expect(await secret.count()).toBe(0);
      const listed = await local.api.get('/api/v1/admin/tokens');
      const revoked = listed.body.tokens.find((one: { name: string }) => one.name === 'gpu-cluster');
      expect(revoked.revoked_at).toBeGreaterThan(0);
      expect(await seriousViolations(page)).toEqual([]);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test("on a phone, the 'this tab' badge stays on one line beside or under the token's name", async () => {
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, '/tokens');
      const badge = page.locator('table[aria-label="Tokens"] .badge.own');
      await badge.waitFor();
      const shape = await badge.evaluate((element) => ({
        boxes: element.getClientRects().length as number,
        height: element.getBoundingClientRect().height as number,
      }));
      expect(shape.boxes).toBe(1);
      expect(shape.height).toBeLessThan(24);
    } finally {
      await context.close();
    }
  });

  test('a write token is told that tokens need an admin token', async () => {
    const writer = await local.api.post('/api/v1/admin/tokens', { scope: 'write', name: 'notebook' });
    const opened = await openSignedIn(session.browser, local.stack.url, writer.body.token, '/tokens');
    const { page } = opened;
    try {
      const status = page.locator('main [role="status"] h2');
      await status.waitFor();
      expect(await status.textContent()).toBe('Tokens need an admin token');
      expect(await page.locator('button:text("New token")').count()).toBe(0);
    } finally {
      await opened.close();
    }
  });
});

describe('Back returns to the place in a long list', () => {
  test("Back from a run: the runs table's loaded pages, scrolled where they were", async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'long-table' });
    const experimentId = created.body.experiment_id as string;
    // 150 runs: a first page of 100, the rest loaded on scrolling.
    for (let batch = 0; batch < 15; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
            run_name: `run-${String(batch * 10 + index).padStart(3, '0')}`,
          }),
        ),
      );
    }
    const opened = await open(`/experiments/${experimentId}`);
    const { page } = opened;
    try {
      const grid = page.locator('.runs-grid');
      await expect.poll(() => grid.getAttribute('data-loaded-rows'), eventually).toBe('100');
      await grid.evaluate((element: any) => (element.scrollTop = element.scrollHeight));
      await expect.poll(() => grid.getAttribute('data-loaded-rows'), eventually).toBe('150');
      await grid.evaluate((element: any) => (element.scrollTop = 4000));
      await page.waitForTimeout(300);
      const left = await grid.evaluate((element: any) => element.scrollTop as number);
      // A run the user can see: the first rows rendered are the virtualizer's overscan, above the
      // view, and clicking one would scroll the table first (a locator by position would also
      // point at another row once the table re-renders).
      const name = await grid.evaluate((element: any) => {
        const top = element.getBoundingClientRect().top + 44;
        const links = [...element.querySelectorAll('[role="row"] .run-name a')] as any[];
        return links.find((a) => a.getBoundingClientRect().top >= top)?.textContent as string;
      });
      const link = grid.getByRole('link', { name, exact: true });
      await link.click();
      await page.waitForURL('**/runs/**');
      await page.locator('main h1').waitFor();

      await page.goBack();
      await expect.poll(() => grid.getAttribute('data-loaded-rows'), eventually).toBe('150');
      expect(Math.abs((await grid.evaluate((element: any) => element.scrollTop as number)) - left)).toBeLessThan(2);
      expect(await page.locator('.runs-grid [role="row"] .run-name a', { hasText: name }).isVisible()).toBe(true);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('Back from an experiment: the experiments list, scrolled where it was', async () => {
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          local.api.post('/api/v1/experiments', { experiment_name: `ablation-${batch * 10 + index}` }),
        ),
      );
    }
    const { context, page } = await newPage(session.browser);
    try {
      await page.setViewportSize({ width: 1280, height: 600 });
      await signInByLink(page, local.stack.url, local.stack.token, '/experiments');
      const rows = page.locator('table[aria-label="Experiments"] tbody tr');
      await expect.poll(() => rows.count(), eventually).toBeGreaterThanOrEqual(40);
      await page.evaluate(() => (globalThis as any).scrollTo(0, (globalThis as any).document.body.scrollHeight));
      await page.waitForTimeout(300);
      const left = await page.evaluate(() => (globalThis as any).scrollY as number);
      expect(left).toBeGreaterThan(400);
      const link = rows.last().locator('a').first();
      const name = (await link.textContent()) as string;
      await link.click();
      await page.waitForURL('**/experiments/*');
      await page.locator('main h1', { hasText: name }).waitFor();

      await page.goBack();
      await page.locator('table[aria-label="Experiments"] tbody tr', { hasText: name }).waitFor();
      await expect.poll(() => page.evaluate(() => (globalThis as any).scrollY as number), eventually).toBe(left);
    } finally {
      await context.close();
    }
  });
});

describe('the API unreachable (offline, or the service down)', () => {
  // Chromium refuses every API request, as when the stack is stopped: fetch fails without an answer.
  const cutOff = (page: Page) => page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  const reconnect = (page: Page) => page.unroute('**/api/v1/**');

  test('a list that cannot be read says the service did not answer, shows no empty list, and Try again reads it', async () => {
    const opened = await open('/models');
    const { page } = opened;
    try {
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      await cutOff(page);
      await page.click('.topbar nav a:text("Experiments")');
      const failure = page.locator('main .error-box');
      await failure.waitFor();
      expect(await failure.textContent()).toMatch(/^Stratus did not answer: the network is down/);
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).not.toMatch(/Failed to fetch|No experiments yet|0 experiments/);

      await reconnect(page);
      await failure.getByRole('button', { name: 'Try again' }).click();
      await page.locator('table[aria-label="Experiments"] tbody tr', { hasText: 'cifar10-sweep' }).waitFor();
      expect(await failure.count()).toBe(0);
    } finally {
      await opened.close();
    }
  });

  test('a live run whose refresh fails stays on screen, the failure above it, until the service answers again', async () => {
    // The trials were created by MLflow's runs/create and never ended: RUNNING, so the page polls.
    const opened = await open(`/runs/${ids.trials[0]}?tab=overview`);
    const { page } = opened;
    try {
      await expect.poll(() => page.locator('main h1').textContent(), eventually).toMatch(/^trial-0/);
      await cutOff(page);
      const failure = page.locator('main .error-box');
      await failure.waitFor({ timeout: 20_000 });
      expect(await page.locator('main h1').count()).toBe(1);
      expect(await page.locator('main h1').textContent()).toMatch(/^trial-0/);
      expect(await page.locator('#overview').count()).toBe(1);
      expect(await failure.textContent()).toMatch(/^Stratus did not answer/);

      await reconnect(page);
      await expect.poll(() => failure.count(), eventually).toBe(0);
    } finally {
      await opened.close();
    }
  });
});

describe('stale links and signing out', () => {
  test('a run, an experiment, a model or a page that does not exist says so alike, with a way back', async () => {
    const cases: Array<[string, string]> = [
      ['/runs/not-a-run-id', 'Run not found'],
      ['/runs/0123456789abcdef0123456789abcdef', 'Run not found'],
      ['/experiments/0123456789abcdef0123456789abcdef', 'Experiment not found'],
      ['/experiments/nope', 'Experiment not found'],
      ['/models/no-such-model', 'Model not found'],
      ['/foo/bar/baz', 'Page not found'],
    ];
    const opened = await open('/experiments');
    const { page } = opened;
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    try {
      for (const [path, heading] of cases) {
        refused.length = 0;
        await page.goto(`${local.stack.url}${path}`);
        const title = page.locator('.not-found h1');
        await title.waitFor();
        expect(await title.textContent(), path).toBe(heading);
        const text = (await page.locator('main').textContent()) ?? '';
        expect(text, path).not.toMatch(/path\.|body\.|must be 32/);
        // One message, not a runs page around two API errors.
        expect(await page.locator('main .error-box').count(), path).toBe(0);
        expect(await page.locator('main input').count(), path).toBe(0);
        expect(await page.locator('.not-found a').count(), path).toBe(1);
        // The way back alike on every one: a link on a line of its own, underlined as links in text are.
        const back = await page.locator('.not-found a').evaluate((link: any) => ({
          alone: link.parentElement.tagName === 'P' && link.parentElement.textContent === link.textContent,
          underline: (globalThis as any).getComputedStyle(link).textDecorationLine as string,
        }));
        expect(back, path).toEqual({ alone: true, underline: 'underline' });
        // An id of the wrong shape is not asked about: the API would answer 400, three times on an experiment's page.
        await page.waitForLoadState('networkidle');
        if (/nope|not-a-run|foo/.test(path)) expect(refused, path).toEqual([]);
        else expect(refused.length, path).toBeGreaterThan(0);
      }
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('a compare link with a purged or cut-short run says which, and offers the other runs', async () => {
    const gone = '0123456789abcdef0123456789abcdef';
    const opened = await open(`/compare?runs=${ids.curves},${gone},${ids.once}`);
    const { page } = opened;
    try {
      await expect.poll(() => page.locator('main h1').textContent(), eventually).toBe('A run to compare was not found');
      expect(await page.locator('main').textContent()).toContain(gone);
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Compare the other 2 runs' }).click();
      await expect.poll(() => page.locator('main h1').textContent(), eventually).toBe('Compare 2 runs');

      // An id cut short when pasted: named, without asking the API; the one run left is a link away.
      await page.goto(`${local.stack.url}/compare?runs=${ids.curves},${ids.once.slice(0, 20)}`);
      await expect.poll(() => page.locator('main h1').textContent(), eventually).toBe('A run to compare was not found');
      await page.getByRole('link', { name: 'Open the other run' }).click();
      await expect.poll(() => new URL(page.url()).pathname, eventually).toBe(`/runs/${ids.curves}`);
    } finally {
      await opened.close();
    }
  });

  test('a refused token or a service that is down is said in words, focus back on the token, the page no taller than the window', async () => {
    const { context, page } = await newPage(session.browser);
    try {
      await page.goto(`${local.stack.url}/signin`);
      const token = page.getByLabel('Token');
      const error = page.locator('.signin .error-box');
      await token.fill(`stratus_0123456789abcdef_${'A'.repeat(43)}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Not the API's "a valid bearer token is required".
      await expect
        .poll(() => error.textContent(), eventually)
        .toBe('Stratus did not accept this token: it may be mistyped, revoked, or made for another Stratus.');
      const state = () =>
        page.evaluate(() => {
          const document = (globalThis as any).document;
          return {
            focus: document.activeElement?.getAttribute('name') as string | undefined,
            overflow: (document.documentElement.scrollHeight - (globalThis as any).innerHeight) as number,
          };
        });
      // Focus fell to <body>; the page was 990 px tall at 900 and scrolled with nothing below.
      // Polled: the message and the focus come in one commit, but CI once read between them under load.
      await expect.poll(state, eventually).toEqual({ focus: 'token', overflow: 0 });

      await page.route('**/api/v1/**', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'service.unavailable', message: 'service unavailable' } }),
        }),
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => error.textContent(), { ...eventually, timeout: 30_000 })
        .toBe('Stratus is unavailable for a moment (HTTP 503). Try again shortly.');
      await expect.poll(async () => (await state()).focus, eventually).toBe('token');
    } finally {
      await context.close();
    }
  });

  test('Sign out says so plainly, not as an error', async () => {
    const { context, page } = await newPage(session.browser);
    try {
      await signInByLink(page, local.stack.url, local.stack.token);
      await page.click('.topbar button:text("Sign out")');
      const notice = page.locator('.signin .notice');
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(/^Signed out/);
      expect(await page.locator('.signin .error-box').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
