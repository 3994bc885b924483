import { createHash } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApiClient, useTestStack } from '../support/local-api.ts';
import { type BrowserSession, type ColorScheme, launchChromium } from './browser.ts';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { type Opened, openSignedIn, photograph, seriousViolations } from './page-checks.ts';
import { ensureWebAppBuilt } from './web-build.ts';

/**
 * The Models pages in Debian's Chromium against the local stack: models,
 * versions and aliases are made through the API, and what the pages show is
 * checked against what the API answers; alias changes made in the page are
 * read back from the API. Axe-checked and photographed, light and dark.
 */
const local = useTestStack();
let session: BrowserSession;
const eventually = { timeout: 20_000, interval: 100 };

interface Seeded {
  model: string;
  baselineRunId: string;
  tunedRunId: string;
  experimentId: string;
  /** A moment between champion → 1 and champion → 2. */
  betweenMoves: number;
  /** The bytes of version 2's model.pkl. */
  tunedModelBytes: Buffer;
}
let seeded: Seeded;

const ok = async <T = any>(answer: Promise<{ status: number; body: T }>, what: string): Promise<T> => {
  const { status, body } = await answer;
  if (status >= 300) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
};
const put = (api: ApiClient, path: string, body: unknown) => api.call('PUT', path, body);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run that logged a model folder (model.pkl and MLmodel) and ended. */
async function trainingRun(api: ApiClient, experimentId: string, name: string, accuracy: number, seed: number) {
  const run = await ok(
    api.post(`/api/v1/experiments/${experimentId}/runs`, {
      run_name: name,
      params: { model_type: 'xgboost', max_depth: String(4 + seed) },
    }),
    'create run',
  );
  await ok(
    api.post(`/api/v1/runs/${run.run_id}/metrics`, { metrics: [{ key: 'accuracy', value: accuracy, step: 0 }] }),
    'metric',
  );
  const pickle = Buffer.alloc(4096 + seed * 1024, seed);
  await uploadArtifact(api, run.run_id, 'model/model.pkl', pickle, 'application/octet-stream', 'model');
  await uploadArtifact(
    api,
    run.run_id,
    'model/MLmodel',
    Buffer.from(`flavors:\n  python_function:\n    loader_module: mlflow.sklearn\nrun_id: ${run.run_id}\n`),
    'text/yaml',
    'model',
  );
  await ok(api.patch(`/api/v1/runs/${run.run_id}`, { status: 'FINISHED' }), 'end run');
  return { runId: run.run_id as string, pickle };
}

async function seedRegistry(api: ApiClient): Promise<Seeded> {
  const experiment = await ok(
    api.post('/api/v1/experiments', { experiment_name: 'credit-risk', tags: { team: 'risk' } }),
    'experiment',
  );
  const experimentId = experiment.experiment_id as string;
  const baseline = await trainingRun(api, experimentId, 'xgb-baseline', 0.91, 1);
  const tuned = await trainingRun(api, experimentId, 'xgb-tuned', 0.93, 2);
  const model = 'risk_predictor_v2';
  await ok(
    api.post('/api/v1/models', {
      name: model,
      description: 'Predicts 90-day default risk from the application form',
      tags: { team: 'risk', task: 'classification' },
    }),
    'create model',
  );
  const register = (runId: string, artifactPath: string, metadata: Record<string, unknown>, description?: string) =>
    ok(
      api.post(`/api/v1/models/${model}/versions`, {
        run_id: runId,
        artifact_path: artifactPath,
        metadata,
        ...(description ? { description } : {}),
      }),
      'register',
    );
  await register(baseline.runId, 'model', { experiment_id: experimentId, run_id: baseline.runId, accuracy: 0.91 });
  await register(
    tuned.runId,
    'model',
    { experiment_id: experimentId, run_id: tuned.runId, accuracy: 0.93, features: ['income', 'age', 'history'] },
    'Tuned depth and learning rate',
  );
  await register(tuned.runId, 'model/model.pkl', { accuracy: 0.93, format: 'pickle only' });

  await ok(put(api, `/api/v1/models/${model}/aliases/champion`, { version: 1 }), 'alias');
  await sleep(1500);
  const betweenMoves = Date.now();
  await sleep(1500);
  await ok(put(api, `/api/v1/models/${model}/aliases/champion`, { version: 2 }), 'alias');
  await ok(put(api, `/api/v1/models/${model}/aliases/challenger`, { version: 3 }), 'alias');

  // Other models, for the list's search and tag filter.
  await ok(api.post('/api/v1/models', { name: 'churn-classifier', tags: { team: 'growth' } }), 'model');
  await ok(
    api.post('/api/v1/models', {
      name: 'fraud-detector',
      description: 'Card transactions, scored in real time',
      tags: { team: 'risk' },
    }),
    'model',
  );
  await ok(
    api.post(`/api/v1/models/fraud-detector/versions`, { run_id: baseline.runId, artifact_path: 'model/model.pkl' }),
    'register',
  );
  // Versions 1..4, then 2 and 4 deleted: the list must show 3 (not the highest number ever given, 4),
  // and the version pages link 1 <-> 3 across the gap.
  for (let index = 0; index < 4; index++) {
    await ok(
      api.post(`/api/v1/models/churn-classifier/versions`, { run_id: baseline.runId, artifact_path: 'model' }),
      'register',
    );
  }
  await ok(api.delete('/api/v1/models/churn-classifier/versions/2'), 'delete version');
  await ok(api.delete('/api/v1/models/churn-classifier/versions/4'), 'delete version');
  return {
    model,
    baselineRunId: baseline.runId,
    tunedRunId: tuned.runId,
    experimentId,
    betweenMoves,
    tunedModelBytes: tuned.pickle,
  };
}

beforeAll(async () => {
  ensureWebAppBuilt();
  session = await launchChromium();
  seeded = await seedRegistry(local.api);
}, 300_000);

afterAll(() => session?.close());

const open = (path: string, colorScheme: ColorScheme = 'light'): Promise<Opened> =>
  openSignedIn(session.browser, local.stack.url, local.stack.token, path, colorScheme);

const modelNames = (page: Page) =>
  page.locator('table[aria-label="Models"] tbody tr td:first-child a').allTextContents();

/** A datetime-local value for `ms` in the browser's time zone, to the second (as the page's input takes it). */
const localInputValue = (page: Page, ms: number) =>
  page.evaluate((at) => {
    const date = new Date(at);
    const two = (n: number) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  }, ms);

describe('models list', () => {
  test('lists the models as the API does; searches by name and filters by tag', async () => {
    const { page, problems, close } = await open('/experiments');
    try {
      // The app shell leads there.
      await page.click('.topbar nav a:text-is("Models")');
      await page.locator('table[aria-label="Models"] tbody tr').first().waitFor();
      const api = (await local.api.get('/api/v1/models')).body.models as Array<{
        name: string;
        latest_version: number;
        aliases: Array<{ alias: string; version: number }>;
      }>;
      expect(await modelNames(page)).toEqual(api.map((model) => model.name));
      const row = page.locator('table[aria-label="Models"] tbody tr', { hasText: seeded.model });
      expect((await row.locator('td').nth(1).textContent())?.trim()).toBe('v3');
      const chips = await row.locator('.alias-chip').allTextContents();
      expect(chips.sort()).toEqual(['@challengerv3', '@championv2']);
      const shrunk = page.locator('table[aria-label="Models"] tbody tr', { hasText: 'churn-classifier' });
      const latestLink = shrunk.locator('td').nth(1).locator('a');
      expect((await latestLink.textContent())?.trim()).toBe('v3');
      expect(await latestLink.getAttribute('href')).toBe('/models/churn-classifier/versions/3');

      await page.fill('input[aria-label="Search models by name"]', 'RISK');
      await expect.poll(() => modelNames(page), eventually).toEqual([seeded.model]);
      expect(new URL(page.url()).searchParams.get('q')).toBe('RISK');

      await page.fill('input[aria-label="Search models by name"]', '');
      await page.fill('input[aria-label^="Filter models by tags"]', 'team=risk');
      await page.press('input[aria-label^="Filter models by tags"]', 'Enter');
      await expect.poll(() => modelNames(page), eventually).toEqual(['fraud-detector', seeded.model]);
      await page.fill('input[aria-label^="Filter models by tags"]', 'team=growth');
      await page.press('input[aria-label^="Filter models by tags"]', 'Enter');
      await expect.poll(() => modelNames(page), eventually).toEqual(['churn-classifier']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('503 with Retry-After', () => {
  test('a read is asked again after the wait the API names; a write is not repeated', async () => {
    const { page, problems, close } = await open('/experiments');
    const unavailable = {
      status: 503,
      headers: { 'retry-after': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'service.unavailable', message: 'The store is busy; try again' } }),
    };
    const reads: number[] = [];
    let writes = 0;
    try {
      // The first list read and every create are answered 503 before they reach the server.
      await page.route(
        (url) => url.pathname === '/api/v1/models',
        async (route) => {
          if (route.request().method() === 'GET') {
            reads.push(Date.now());
            return reads.length === 1 ? route.fulfill(unavailable) : route.continue();
          }
          writes += 1;
          return route.fulfill(unavailable);
        },
      );
      await page.click('.topbar nav a:text-is("Models")');
      await page.locator('table[aria-label="Models"] tbody tr').first().waitFor();
      expect(reads).toHaveLength(2);
      expect((reads[1] ?? 0) - (reads[0] ?? 0)).toBeGreaterThanOrEqual(900);
      expect(await page.locator('.error-box').count()).toBe(0);

      await page.click('button:text-is("New model")');
      await page.fill('dialog[open] input[type="text"]', 'never-created');
      await page.click('dialog[open] button[type="submit"]');
      await expect
        .poll(() => page.locator('dialog[open] .error-box').textContent(), eventually)
        .toBe('Stratus is unavailable for a moment (HTTP 503). Try again shortly.');
      await page.waitForTimeout(1500);
      expect(writes).toBe(1);
      expect((await local.api.get('/api/v1/models/never-created')).status).toBe(404);
      // Chromium logs each 503 it was answered; nothing else went wrong.
      expect(problems.filter((problem) => !problem.includes('503'))).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('model page', () => {
  test('versions, sources and aliases as the API answers them', async () => {
    const { page, problems, close } = await open(`/models/${seeded.model}`);
    try {
      await page.locator('table[aria-label="Versions"] tbody tr').first().waitFor();
      const versions = (await local.api.get(`/api/v1/models/${seeded.model}/versions`)).body.versions as Array<{
        version: number;
        source: { run_id: string };
      }>;
      const rows = page.locator('table[aria-label="Versions"] tbody tr');
      expect(await rows.locator('td:first-child a').allTextContents()).toEqual(
        versions.map((version) => `Version ${version.version}`),
      );
      // Each source links to its run, by the run's name.
      await expect
        .poll(() => rows.locator('.source-run a').allTextContents(), eventually)
        .toEqual(['xgb-tuned', 'xgb-tuned', 'xgb-baseline']);
      expect(
        await rows.locator('.source-run a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
      ).toEqual(versions.map((version) => `/runs/${version.source.run_id}`));
      const aliasRows = page.locator('table[aria-label="Aliases"] tbody tr');
      const shown = (await aliasRows.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim()).sort();
      expect(shown).toEqual(['@challenger Version 3 Move Remove', '@champion Version 2 Move Remove']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('set, move and remove aliases; the history records each', async () => {
    const name = 'alias-playground';
    await ok(local.api.post('/api/v1/models', { name }), 'model');
    for (let i = 0; i < 2; i++) {
      await ok(
        local.api.post(`/api/v1/models/${name}/versions`, {
          run_id: seeded.tunedRunId,
          artifact_path: 'model/MLmodel',
        }),
        'register',
      );
    }
    const aliases = async () =>
      ((await local.api.get(`/api/v1/models/${name}`)).body.aliases as Array<{ alias: string; version: number }>).map(
        (item) => `${item.alias}=${item.version}`,
      );
    const { page, problems, close } = await open(`/models/${name}`);
    try {
      await page.locator('table[aria-label="Versions"] tbody tr').first().waitFor();
      await page.click('#aliases button:text-is("Set alias")');
      await page.fill('dialog input[type="text"]', 'staging');
      await page.selectOption('dialog select', '1');
      await page.click('dialog button[type="submit"]');
      await expect.poll(aliases, eventually).toEqual(['staging=1']);

      await page.click('button[aria-label="Move staging"]');
      await page.selectOption('dialog select', '2');
      await page.click('dialog button[type="submit"]');
      await expect.poll(aliases, eventually).toEqual(['staging=2']);
      await expect
        .poll(() => page.locator('table[aria-label="Aliases"] tbody tr').innerText(), eventually)
        .toMatch(/@staging\s+Version 2/);

      // A name the API refuses: its message shows in the dialog, and nothing changes.
      await page.click('#aliases button:text-is("Set alias")');
      await page.fill('dialog input[type="text"]', 'latest');
      await page.click('dialog button[type="submit"]');
      await expect.poll(() => page.locator('dialog [role="alert"]').textContent(), eventually).toMatch(/alias/i);
      await page.click('dialog button:text-is("Cancel")');

      await page.click('button[aria-label="Remove staging"]');
      await page.click('dialog button[type="submit"]');
      await expect.poll(aliases, eventually).toEqual([]);

      const history = (await local.api.get(`/api/v1/models/${name}/alias-history`)).body.events as unknown[];
      expect(history).toHaveLength(3);
      await expect
        .poll(
          () => page.locator('table[aria-label="Alias history"] tbody tr td:nth-child(3)').allTextContents(),
          eventually,
        )
        .toEqual(['removed (was v2)', 'moved v1 → v2', 'set to v1']);
      expect(problems.filter((problem) => !/400/.test(problem))).toEqual([]);
    } finally {
      await close();
      // Out of the list the screenshots show.
      await local.api.delete(`/api/v1/models/${name}`);
    }
  });

  test('what each alias pointed at a given time', async () => {
    const { page, problems, close } = await open(`/models/${seeded.model}`);
    try {
      await page.locator('table[aria-label="Alias history"] tbody tr').first().waitFor();
      const at = await localInputValue(page, seeded.betweenMoves);
      await page.fill('#alias-history input[type="datetime-local"]', at);
      await page.dispatchEvent('#alias-history input[type="datetime-local"]', 'change');
      const asOf = page.locator('[data-testid="aliases-as-of"] li');
      await expect.poll(() => asOf.count(), eventually).toBe(2);
      // The API's answer for the same moment, per alias.
      const until = new Date(at).getTime();
      const champion = await local.api.get(
        `/api/v1/models/${seeded.model}/alias-history?alias=champion&until=${until}&max_results=1`,
      );
      expect(champion.body.events[0].to_version).toBe(1);
      expect(
        await page.locator('[data-testid="aliases-as-of"] li[data-alias="champion"]').getAttribute('data-version'),
      ).toBe('1');
      expect(
        await page.locator('[data-testid="aliases-as-of"] li[data-alias="challenger"]').getAttribute('data-version'),
      ).toBe('');
      // The history still lists every change, newest first: the later ones dimmed, a line at that time.
      const rows = page.locator('table[aria-label="Alias history"] tbody tr');
      await expect
        .poll(() => rows.allInnerTexts(), eventually)
        .toEqual([
          expect.stringMatching(/@challenger\s+set to v3/),
          expect.stringMatching(/@champion\s+moved v1 → v2/),
          expect.stringMatching(/as of/),
          expect.stringMatching(/@champion\s+set to v1/),
        ]);
      expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-after')))).toEqual([
        'true',
        'true',
        null,
        null,
      ]);
      // The same local time in the URL: the browser drops ':00' seconds from a datetime-local value.
      const inUrl = new URL(page.url()).searchParams.get('at');
      expect(inUrl && new Date(inUrl).getTime()).toBe(new Date(at).getTime());
      await page.reload();
      await expect
        .poll(
          () => page.locator('[data-testid="aliases-as-of"] li[data-alias="champion"]').getAttribute('data-version'),
          eventually,
        )
        .toBe('1');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

/** Each cell's text as laid out: the width of each of its lines, top to bottom (one entry: it did not wrap). */
const lineWidthsOf = (cells: Locator) =>
  cells.evaluateAll((elements) =>
    elements.map((cell: any) => {
      const range = (globalThis as any).document.createRange();
      range.selectNodeContents(cell);
      const widths = new Map<number, number>();
      for (const rect of range.getClientRects() as Iterable<any>) {
        const top = Math.round(rect.top);
        widths.set(top, (widths.get(top) ?? 0) + rect.width);
      }
      return [...widths.values()].map(Math.round);
    }),
  );

describe('version page', () => {
  test('source, metadata, files with the recorded checksums, and a download that matches them', async () => {
    const version = (await local.api.get(`/api/v1/models/${seeded.model}/versions/2`)).body;
    const { page, problems, close } = await open(`/models/${seeded.model}/versions/2`);
    try {
      await page.locator('table[aria-label="Files"] tbody tr').first().waitFor();
      const files = version.files as Array<{ path: string; sha256: string }>;
      expect(await page.locator('table[aria-label="Files"] tbody tr td:first-child').allTextContents()).toEqual(
        files.map((file) => file.path),
      );
      expect(await page.locator('table[aria-label="Files"] td.sha').allTextContents()).toEqual(
        files.map((file) => file.sha256),
      );
      const metadata = JSON.parse((await page.locator('pre.metadata').textContent()) as string);
      expect(metadata).toEqual(version.metadata);
      await expect
        .poll(() => page.locator('#version-overview a', { hasText: 'xgb-tuned' }).getAttribute('href'), eventually)
        .toBe(`/runs/${seeded.tunedRunId}`);
      expect(await page.locator('h1 .alias-chip').allTextContents()).toEqual(['@champion']);

      await page.click('#files button:text-is("Download")');
      const link = page.locator('table[aria-label="Files"] a', { hasText: 'model.pkl' });
      await link.waitFor();
      const bytes = Buffer.from(await (await fetch((await link.getAttribute('href')) as string)).arrayBuffer());
      expect(bytes.equals(seeded.tunedModelBytes)).toBe(true);
      const recorded = files.find((file) => file.path.endsWith('model.pkl'))?.sha256;
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(recorded);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test("a version from MLflow 3's model folder (models/m-<id>/): each file's size on one line beside the long paths", async () => {
    const api = local.api;
    const experiment = await ok(
      api.post('/api/v1/experiments', { experiment_name: 'iris-autolog-files' }),
      'experiment',
    );
    const run = await ok(
      api.post(`/api/v1/experiments/${experiment.experiment_id}/runs`, { run_name: 'logreg' }),
      'run',
    );
    const folder = `models/m-${'3f'.repeat(16)}`;
    // MLmodel of 1,009 bytes: four digits and a unit, the cell that wrapped to "1009 / B". Sent as MLflow's
    // client sends them (a PUT through its artifact proxy, redirected to S3): hashed at registration, the
    // longest words of the Checked by column.
    for (const [name, size] of [
      ['MLmodel', 1009],
      ['conda.yaml', 209],
      ['python_env.yaml', 112],
      ['requirements.txt', 84],
      ['model.pkl', 825],
    ] as const) {
      const proxied = `${local.stack.url}/api/2.0/mlflow-artifacts/artifacts/${experiment.experiment_id}/${run.run_id}/artifacts/${folder}/${name}`;
      const redirect = await fetch(proxied, {
        method: 'PUT',
        headers: { authorization: `Bearer ${local.stack.token}` },
        body: Buffer.alloc(size, 97),
        redirect: 'manual',
      });
      expect(redirect.status, name).toBe(307);
      // As `requests` follows it: the same body to the presigned URL, without the token.
      const sent = await fetch(redirect.headers.get('location') as string, {
        method: 'PUT',
        body: Buffer.alloc(size, 97),
      });
      expect(sent.status, name).toBe(200);
    }
    await ok(api.patch(`/api/v1/runs/${run.run_id}`, { status: 'FINISHED' }), 'end run');
    await ok(api.post('/api/v1/models', { name: 'iris-classifier-files' }), 'model');
    await ok(
      api.post('/api/v1/models/iris-classifier-files/versions', { run_id: run.run_id, artifact_path: folder }),
      'register',
    );
    const { page, problems, close } = await open('/models/iris-classifier-files/versions/1');
    try {
      const sizes = page.locator('table[aria-label="Files"] td.num');
      await expect.poll(() => sizes.count(), eventually).toBe(5);
      // One line box each: a range over the cell's text has rectangles on one line unless it wrapped.
      const sizeLines = await lineWidthsOf(sizes);
      expect(sizeLines.map((widths) => widths.length)).toEqual([1, 1, 1, 1, 1]);
      expect((await sizes.allTextContents()).sort()).toEqual(['1009 B', '112 B', '209 B', '825 B', '84 B']);
      // Each digest whole on one line, or in two halves of 32 digits: never a line of two or three.
      for (const widths of await lineWidthsOf(page.locator('table[aria-label="Files"] td.sha'))) {
        expect(widths.length).toBeLessThanOrEqual(2);
        const [first = 0, second = first] = widths;
        expect(Math.abs(first - second)).toBeLessThan(2);
      }
      const texts = await page.locator('table[aria-label="Files"] td.sha').allTextContents();
      expect(texts.every((text) => /^[0-9a-f]{64}$/.test(text))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('on a phone each version is a block: nothing scrolls sideways and an alias chip stays one line', async () => {
    const { page, problems, close } = await open(`/models/${seeded.model}`);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      const versions = page.locator('#versions .table-scroll');
      await versions.locator('tbody tr').first().waitFor();
      expect(await versions.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(1);
      const chips = versions.locator('.alias-chip');
      expect(await chips.count()).toBeGreaterThan(0);
      for (const height of await chips.evaluateAll((all) => all.map((chip) => chip.getBoundingClientRect().height)))
        expect(height).toBeLessThan(30);
      // Each block shows when it was registered, within the screen, the headings being hidden.
      const registered = await versions.locator('tbody tr td[data-label="registered"]').first().boundingBox();
      expect(registered?.width).toBeGreaterThan(0);
      expect((registered?.x ?? 0) + (registered?.width ?? 0)).toBeLessThanOrEqual(390);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('on a phone the Files table scrolls sideways in its own box, which the keyboard reaches and scrolls', async () => {
    const { page, problems, close } = await open(`/models/${seeded.model}/versions/2`);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      const box = page.locator('#files .table-scroll');
      await box.locator('tbody tr').first().waitFor();
      // The checksums are what does not fit: the box scrolls, the page does not.
      expect(await box.evaluate((element: any) => element.scrollWidth - element.clientWidth)).toBeGreaterThan(100);
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      // Tab from Download lands on the table's box (before the download links exist, nothing in it takes focus).
      await page.locator('#files button', { hasText: 'Download' }).focus();
      await page.keyboard.press('Tab');
      expect(await box.evaluate((element: any) => element === (globalThis as any).document.activeElement)).toBe(true);
      const scrolled = () => box.evaluate((element: any) => element.scrollLeft as number);
      expect(await scrolled()).toBe(0);
      await page.keyboard.press('ArrowRight');
      await expect.poll(scrolled, eventually).toBeGreaterThan(0);
      // axe's scrollable-region-focusable among them: a box a keyboard cannot reach is serious.
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('the models:/ URIs to load it, by number and by alias, each with a Copy button', async () => {
    const { page, problems, close } = await open(`/models/${seeded.model}/versions/2`);
    try {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: local.stack.url });
      const copied = () => page.evaluate(() => (globalThis as any).navigator.clipboard.readText());
      const byNumber = page.getByRole('button', { name: 'Copy model URI', exact: true });
      await byNumber.click();
      await expect.poll(copied, eventually).toBe(`models:/${seeded.model}/2`);
      expect(await byNumber.textContent()).toBe('Copied');
      await page.getByRole('button', { name: 'Copy model URI by @champion' }).click();
      await expect.poll(copied, eventually).toBe(`models:/${seeded.model}@champion`);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test("a prompt's version (MLflow's prompt registry) shows its template and prompts:/ URIs, not a run or files", async () => {
    const api = local.api;
    const prompt = 'summarize-prompt';
    const text = 'Summarize in {{n}} words:\n\n{{text}}';
    const isPrompt = { key: 'mlflow.prompt.is_prompt', value: 'true' };
    await ok(api.post('/api/2.0/mlflow/registered-models/create', { name: prompt, tags: [isPrompt] }), 'prompt');
    await ok(
      api.post('/api/2.0/mlflow/model-versions/create', {
        name: prompt,
        source: 'dummy-source',
        tags: [isPrompt, { key: 'mlflow.prompt.text', value: text }, { key: '_mlflow_prompt_type', value: 'text' }],
      }),
      'prompt version',
    );
    await ok(
      api.post('/api/2.0/mlflow/registered-models/alias', { name: prompt, alias: 'live', version: '1' }),
      'alias',
    );
    const { page, problems, close } = await open(`/models/${prompt}/versions/1`);
    try {
      const template = page.locator('#prompt-template pre');
      await expect.poll(() => template.textContent(), eventually).toBe(text);
      const overview = (await page.locator('#version-overview').textContent()) ?? '';
      expect(overview).toContain(`prompts:/${prompt}/1`);
      expect(overview).toContain(`prompts:/${prompt}@live`);
      expect(overview).not.toContain('Source run');
      expect(overview).not.toContain('_mlflow_prompt_type');
      expect(await page.locator('#files').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
    // Among the models, and on its own page, a prompt says it is one; a model does not.
    const list = await open('/models');
    try {
      const row = (name: string) => list.page.locator('tbody tr').filter({ hasText: name });
      await expect.poll(() => row(prompt).locator('.badge.kind').textContent(), eventually).toBe('prompt');
      expect(await row(seeded.model).locator('.badge.kind').count()).toBe(0);
      expect(list.problems).toEqual([]);
    } finally {
      await list.close();
    }
    const modelPage = await open(`/models/${prompt}`);
    try {
      await expect.poll(() => modelPage.page.locator('h1 .badge.kind').textContent(), eventually).toBe('prompt');
    } finally {
      await modelPage.close();
    }
  });

  test('the links to other versions skip deleted ones', async () => {
    const links = (page: Page) => page.locator('nav[aria-label="Other versions"] a').allTextContents();
    const first = await open('/models/churn-classifier/versions/1');
    try {
      await expect.poll(() => links(first.page), eventually).toEqual(['Version 3 →']);
      await first.page.click('nav[aria-label="Other versions"] a');
      await first.page.waitForURL('**/models/churn-classifier/versions/3');
      await expect.poll(() => links(first.page), eventually).toEqual(['← Version 1']);
      // The page asked for version 2 to find out it is gone; nothing else went wrong.
      expect(first.problems.filter((problem) => !problem.includes('404'))).toEqual([]);
    } finally {
      await first.close();
    }
  });

  test('the run page lists the versions registered from the run', async () => {
    const fromRun = (await local.api.get(`/api/v1/runs/${seeded.tunedRunId}/model-versions`)).body.versions as Array<{
      name: string;
      version: number;
    }>;
    expect(fromRun.length).toBeGreaterThanOrEqual(2);
    const { page, problems, close } = await open(`/runs/${seeded.tunedRunId}?tab=overview`);
    try {
      const links = page.locator('table[aria-label="Model versions from this run"] tbody tr td:first-child a');
      await links.first().waitFor();
      expect(await links.allTextContents()).toEqual(fromRun.map((item) => `${item.name} · version ${item.version}`));
      await links.filter({ hasText: `${seeded.model} · version 3` }).click();
      await page.waitForURL(`**/models/${seeded.model}/versions/3`);
      await page.locator('table[aria-label="Files"]').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe("a run's datasets and logged models", () => {
  test('the run page lists the datasets it used and the models it used and produced, with their roles', async () => {
    const mlflow = (path: string, body: unknown) => ok(local.api.post(`/api/2.0/mlflow/${path}`, body), path);
    const { experiment_id: experimentId } = await mlflow('experiments/create', { name: `lineage-ui-${Date.now()}` });
    const start = async (name: string) =>
      (await mlflow('runs/create', { experiment_id: experimentId, run_name: name })).run.info.run_id as string;
    const [runId, plainRunId] = [await start('trained'), await start('plain')];
    await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [
        {
          dataset: {
            name: 'train-split',
            digest: 'a1b2c3d4e5',
            source_type: 'local',
            source: '{"uri": "/data/train"}',
          },
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        },
        { dataset: { name: 'holdout', digest: 'f6e5d4c3b2', source_type: 's3', source: '{"uri": "s3://b/holdout"}' } },
      ],
    });
    const model = async (name: string) =>
      (await mlflow('logged-models', { experiment_id: experimentId, name, source_run_id: runId })).model.info
        .model_id as string;
    const [produced, used] = [await model('classifier'), await model('baseline')];
    await mlflow('runs/outputs', { run_id: runId, models: [{ model_id: produced, step: 12 }] });
    await mlflow('runs/log-inputs', { run_id: runId, models: [{ model_id: used }] });

    const { page, problems, close } = await open(`/runs/${runId}?tab=overview`);
    try {
      const datasets = page.locator('table[aria-label="Datasets this run used"] tbody tr');
      await datasets.first().waitFor();
      expect(await datasets.locator('td:first-child .cut-name').allTextContents()).toEqual(['train-split', 'holdout']);
      expect(await datasets.locator('td:nth-child(2)').allTextContents()).toEqual(['training', '—']);
      expect(await datasets.locator('td:nth-child(3)').allTextContents()).toEqual(['local', 's3']);
      const models = page.locator('table[aria-label="Logged models this run used or produced"] tbody tr');
      // By id, as MLflow answers a run's models.
      const rows = [
        [produced, 'classifier', 'produced at step 12'],
        [used, 'baseline', 'used'],
      ].sort(([a], [b]) => (a! < b! ? -1 : 1));
      expect(await models.locator('td:first-child .cut-name').allTextContents()).toEqual(rows.map((row) => row[1]));
      expect(await models.locator('td:nth-child(2)').allTextContents()).toEqual(rows.map((row) => row[2]));
      expect(await page.locator('#datasets h2').textContent()).toBe('Datasets (2)');
      expect(await seriousViolations(page)).toEqual([]);
      await photograph(page, 'run-lineage', 'light');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }

    // A run without any shows neither card.
    const plain = await open(`/runs/${plainRunId}?tab=overview`);
    try {
      await plain.page.locator('#params').waitFor();
      await sleep(500);
      expect(await plain.page.locator('#datasets, #logged-models').count()).toBe(0);
      expect(plain.problems).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  test('the experiment page lists its logged models under the runs, newest first, with their metrics and source runs', async () => {
    const mlflow = (path: string, body: unknown) => ok(local.api.post(`/api/2.0/mlflow/${path}`, body), path);
    const { experiment_id: experimentId } = await mlflow('experiments/create', { name: `models-ui-${Date.now()}` });
    const { experiment_id: emptyId } = await mlflow('experiments/create', { name: `no-models-${Date.now()}` });
    await mlflow('runs/create', { experiment_id: emptyId, run_name: 'unmodelled' });
    const runId = (await mlflow('runs/create', { experiment_id: experimentId, run_name: 'sweep-7' })).run.info
      .run_id as string;
    const ids: string[] = [];
    for (const name of ['baseline', 'tuned']) {
      const id = (
        await mlflow('logged-models', {
          experiment_id: experimentId,
          name,
          model_type: 'sklearn',
          source_run_id: runId,
        })
      ).model.info.model_id as string;
      ids.push(id);
      for (const [index, key] of ['accuracy', 'f1', 'recall', 'precision'].entries()) {
        await mlflow('runs/log-metric', {
          run_id: runId,
          key,
          value: name === 'tuned' ? 0.9 + index / 100 : 0.5,
          timestamp: Date.now(),
          step: 0,
          model_id: id,
        });
      }
    }
    await local.api.patch(`/api/2.0/mlflow/logged-models/${ids[1]}`, {
      model_id: ids[1],
      status: 'LOGGED_MODEL_READY',
    });

    const { page, problems, close } = await open(`/experiments/${experimentId}`);
    try {
      const rows = page.locator('table[aria-label="Logged models of this experiment"] tbody tr');
      await rows.first().waitFor();
      expect(await page.locator('#experiment-models h2').textContent()).toBe('Logged models (2)');
      expect(await rows.locator('td:first-child .cut-name').allTextContents()).toEqual(['tuned', 'baseline']);
      expect(await rows.locator('td:nth-child(2)').allTextContents()).toEqual(['ready', 'pending']);
      // The source run by its name (it is among the runs above), linking to its page.
      expect(await rows.locator('td:nth-child(3) a').first().textContent()).toBe('sweep-7');
      // Three metrics shown, the fourth counted; all four in the tooltip.
      const metrics = rows.first().locator('td:nth-child(4)');
      expect(await metrics.textContent()).toBe('accuracy 0.9 · f1 0.91 · precision 0.93 · +1');
      expect((await metrics.locator('[title]').first().getAttribute('title'))?.split('\n')).toHaveLength(4);
      expect(await seriousViolations(page)).toEqual([]);
      await rows.locator('td:nth-child(3) a').first().click();
      await page.waitForURL(`**/runs/${runId}**`);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }

    // 25 a page: the count says there are more until Show more has read them.
    const { experiment_id: manyId } = await mlflow('experiments/create', { name: `many-models-${Date.now()}` });
    const manyRunId = (await mlflow('runs/create', { experiment_id: manyId, run_name: 'many' })).run.info
      .run_id as string;
    for (let index = 0; index < 26; index++) {
      await mlflow('logged-models', { experiment_id: manyId, name: `model-${index}`, source_run_id: manyRunId });
    }
    const many = await open(`/experiments/${manyId}`);
    try {
      const heading = many.page.locator('#experiment-models h2');
      await heading.waitFor();
      expect(await heading.textContent()).toBe('Logged models (25+)');
      await many.page.getByRole('button', { name: 'Show more models' }).click();
      await expect.poll(() => heading.textContent(), eventually).toBe('Logged models (26)');
      const names = many.page.locator('table[aria-label="Logged models of this experiment"] td:first-child .cut-name');
      expect(await names.last().textContent()).toBe('model-0');
      expect(await many.page.getByRole('button', { name: 'Show more models' }).count()).toBe(0);
      expect(many.problems).toEqual([]);
    } finally {
      await many.close();
    }

    // An experiment without logged models shows no such card.
    const plain = await open(`/experiments/${emptyId}`);
    try {
      await plain.page.locator('[data-testid="run-count"]').waitFor();
      await sleep(500);
      expect(await plain.page.locator('#experiment-models').count()).toBe(0);
      expect(plain.problems).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  test('a live run page shows the model logged as the run ends, without a reload', async () => {
    const mlflow = (path: string, body: unknown) => ok(local.api.post(`/api/2.0/mlflow/${path}`, body), path);
    const { experiment_id: experimentId } = await mlflow('experiments/create', { name: `live-lineage-${Date.now()}` });
    const runId = (await mlflow('runs/create', { experiment_id: experimentId, run_name: 'training' })).run.info
      .run_id as string;
    const { page, problems, close } = await open(`/runs/${runId}?tab=overview`);
    try {
      await page.locator('#params').waitFor();
      expect(await page.locator('#logged-models').count()).toBe(0);
      // What autolog does as fit returns: the model, the run's output, the run ended.
      const modelId = (
        await mlflow('logged-models', { experiment_id: experimentId, name: 'fitted', source_run_id: runId })
      ).model.info.model_id as string;
      await mlflow('runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 0 }] });
      await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
      const models = page.locator('table[aria-label="Logged models this run used or produced"] tbody tr');
      await models.first().waitFor({ timeout: 15_000 });
      expect(await models.locator('td:first-child .cut-name').allTextContents()).toEqual(['fitted']);
      expect(await models.locator('td:nth-child(2)').allTextContents()).toEqual(['produced at step 0']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('accessibility and screenshots', () => {
  test('the keyboard reaches a model, its alias dialog and a version', async () => {
    const { page, problems, close } = await open('/models');
    const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim());
    const tabTo = async (text: string) => {
      for (let i = 0; i < 40; i++) {
        if ((await focused()) === text) return true;
        await page.keyboard.press('Tab');
      }
      return false;
    };
    try {
      await page.locator('table[aria-label="Models"] tbody tr').first().waitFor();
      expect(await tabTo(seeded.model)).toBe(true);
      await page.keyboard.press('Enter');
      await page.locator('table[aria-label="Versions"] tbody tr').first().waitFor();
      expect(await tabTo('Set alias')).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('dialog[open]').count(), eventually).toBe(0);
      expect(await tabTo('Version 1')).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/models/${seeded.model}/versions/1`);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`the Models pages have no serious or critical axe violation (${colorScheme})`, async () => {
      const views = [
        { name: 'models', path: '/models', ready: 'table[aria-label="Models"] tbody tr' },
        {
          name: 'model',
          path: `/models/${seeded.model}`,
          ready: '[data-testid="aliases-as-of"] li[data-version="1"]',
          // The "what was in production then" view, at the moment between the two moves.
          at: seeded.betweenMoves,
        },
        {
          name: 'model-version',
          path: `/models/${seeded.model}/versions/2`,
          ready: 'table[aria-label="Files"] tbody tr',
        },
      ];
      const failures: string[] = [];
      for (const view of views) {
        const opened = await open(view.path, colorScheme);
        try {
          if (view.at !== undefined) {
            const at = await localInputValue(opened.page, view.at);
            await opened.page.goto(`${local.stack.url}${view.path}?at=${encodeURIComponent(at)}`);
          }
          await opened.page.waitForSelector(view.ready);
          await opened.page.waitForTimeout(300);
          failures.push(...(await seriousViolations(opened.page)).map((problem) => `${view.name}: ${problem}`));
          await photograph(opened.page, view.name, colorScheme);
          failures.push(...opened.problems.map((problem) => `${view.name}: console: ${problem}`));
        } finally {
          await opened.close();
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('a model card pasted whole, and long aliases', () => {
  test('its description starts folded to five lines; Move, Remove and every version column stay inside their cards', async () => {
    const name = 'long-card-model';
    const description = Array.from({ length: 60 }, (_, line) => `Line ${line}: intended use, data, caveats.`).join(
      '\n',
    );
    await ok(local.api.post('/api/v1/models', { name, description }), 'model');
    for (let index = 0; index < 3; index++)
      await ok(
        local.api.post(`/api/v1/models/${name}/versions`, { run_id: seeded.baselineRunId, artifact_path: 'model' }),
        'register',
      );
    // Names without spaces, which nothing can wrap but a rule that breaks anywhere.
    for (const [index, version] of [1, 2, 3, 3].entries())
      await ok(
        put(local.api, `/api/v1/models/${name}/aliases/${`candidate_${index}_`.padEnd(90, 'x')}`, { version }),
        'alias',
      );
    const { page, problems, close } = await open(`/models/${name}`);
    try {
      const shown = page.locator('.page-header .description');
      await shown.waitFor();
      const lineHeight = await shown.evaluate((element) =>
        parseFloat((globalThis as any).getComputedStyle(element).lineHeight),
      );
      expect((await shown.boundingBox())?.height).toBeLessThanOrEqual(lineHeight * 5 + 1);
      await page.getByRole('button', { name: 'Show the whole description' }).click();
      await expect
        .poll(async () => (await shown.boundingBox())?.height ?? 0, eventually)
        .toBeGreaterThan(lineHeight * 50);

      const card = await page.locator('#aliases').boundingBox();
      const removes = page.locator('#aliases').getByRole('button', { name: /^Remove / });
      await expect.poll(() => removes.count(), eventually).toBe(4);
      for (const box of await removes.evaluateAll((buttons) =>
        buttons.map((button) => button.getBoundingClientRect().toJSON() as { right: number }),
      ))
        expect(box.right).toBeLessThanOrEqual((card?.x ?? 0) + (card?.width ?? 0));
      const versions = page.locator('#versions .table-scroll');
      await page.locator('#versions tbody tr').nth(2).waitFor();
      const overflow = await versions.evaluate((element) => element.scrollWidth - element.clientWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('an alias of 85 characters in the alias history', () => {
  test('wraps in its cell, in the moves and the as-of list, at 1280 and 1360 px: nothing scrolls sideways', async () => {
    const name = 'long-alias-history';
    // No spaces: only a rule that breaks anywhere wraps it.
    const alias = 'release_candidate_for_the_quarterly_credit_risk_refresh_'.padEnd(85, 'x');
    await ok(local.api.post('/api/v1/models', { name }), 'model');
    for (let index = 0; index < 2; index++)
      await ok(
        local.api.post(`/api/v1/models/${name}/versions`, { run_id: seeded.baselineRunId, artifact_path: 'model' }),
        'register',
      );
    await ok(put(local.api, `/api/v1/models/${name}/aliases/${alias}`, { version: 1 }), 'alias');
    await ok(put(local.api, `/api/v1/models/${name}/aliases/${alias}`, { version: 2 }), 'alias');
    const { page, problems, close } = await open(`/models/${name}`);
    try {
      for (const width of [1280, 1360]) {
        await page.setViewportSize({ width, height: 900 });
        const rows = page.locator('#alias-history table.alias-history tbody tr');
        await expect.poll(() => rows.count(), eventually).toBe(2);
        const history = page.locator('#alias-history');
        // Each part of the card within it: the moves' table does not scroll, the page does not either.
        const overflow = () =>
          history.evaluate((card) => {
            const box = card.getBoundingClientRect();
            const scroller = card.querySelector('.table-scroll');
            const doc = card.ownerDocument.documentElement;
            return {
              table: scroller ? scroller.scrollWidth - scroller.clientWidth : 0,
              outside: Math.max(
                0,
                ...[...card.querySelectorAll('td, li, .alias-chip')].map(
                  (part) => part.getBoundingClientRect().right - box.right,
                ),
              ),
              page: doc.scrollWidth - doc.clientWidth,
            };
          });
        expect(await overflow()).toEqual({ table: 0, outside: 0, page: 0 });
        expect(await rows.first().locator('td.alias').textContent()).toBe(`@${alias}`);
        await photograph(page, `alias-history-long-${width}`, 'light');

        // What each alias pointed at a moment: the chip wraps in the as-of list too.
        const at = new Date(Date.now() + 60_000);
        const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
        await page.fill('#alias-history input[type="datetime-local"]', local);
        await page.dispatchEvent('#alias-history input[type="datetime-local"]', 'change');
        await page.locator('[data-testid="aliases-as-of"] li[data-version="2"]').waitFor();
        expect(await overflow()).toEqual({ table: 0, outside: 0, page: 0 });
        await photograph(page, `alias-history-long-as-of-${width}`, 'light');
        await page.getByRole('button', { name: 'Now', exact: true }).click();
      }
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
