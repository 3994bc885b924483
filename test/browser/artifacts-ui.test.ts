import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';
import { uploadArtifact } from '../support/artifact-upload.ts';
import { type BrowserSession, launchChromium, signInByLink } from './browser.ts';
import { type Opened, openSignedIn, seriousViolations } from './page-checks.ts';
import { ensureWebAppBuilt } from './web-build.ts';

/**
 * A run's Artifacts tab reads its tree as a file browser reads a disk: the top level when the tab opens, a
 * folder's level when it is opened, a page of 200 entries at a time; never a folder nobody opened. It read
 * every page of the run's listing on open (up to 20,000 files, the rest silently left out).
 */
const local = useTestStack();
let session: BrowserSession;
const eventually = { timeout: 20_000, interval: 100 };

/** Past one page of a level (200 entries): the rest is a Show more away. */
const manyCount = 205;
const nested = ['README.md', 'plots/roc.txt', 'plots/deep/pr.txt', 'model/MLmodel', 'model/data/weights.bin'];
let runId = '';

beforeAll(async () => {
  ensureWebAppBuilt();
  session = await launchChromium();
  const run = await local.api.post('/api/v1/runs', { experiment_name: 'artifact-tree', run_name: 'lazy' });
  expect(run.status).toBe(201);
  runId = run.body.run_id;
  const many = Array.from({ length: manyCount }, (_, index) => `many/file-${String(index).padStart(3, '0')}.txt`);
  const paths = [...nested, ...many];
  for (let start = 0; start < paths.length; start += 16) {
    await Promise.all(
      paths
        .slice(start, start + 16)
        .map((path) =>
          uploadArtifact(
            local.api,
            runId,
            path,
            Buffer.from(`# ${path}\n`),
            path.endsWith('.md') ? 'text/markdown' : 'text/plain',
          ),
        ),
    );
  }
}, 180_000);

afterAll(() => session?.close());

/**
 * The page's reads of the run's artifact listing (not its downloads): a folder level's as its `prefix` ('' for
 * the top level), any other (a whole listing, a page of every file) as `whole:<prefix>`.
 */
async function listingReads(page: Page): Promise<string[]> {
  // The reads of the page as first opened are over before counting starts: the test reloads it.
  await page.waitForLoadState('networkidle');
  const reads: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname !== `/api/v1/runs/${runId}/artifacts`) return;
    const prefix = url.searchParams.get('prefix') ?? '';
    reads.push(url.searchParams.get('delimiter') === '/' ? prefix : `whole:${prefix}`);
  });
  return reads;
}

const open = (path: string): Promise<Opened> => openSignedIn(session.browser, local.stack.url, local.stack.token, path);

const names = (page: Page) => page.locator('.artifact-tree .node .name').allTextContents();

describe("a run's artifacts tab", () => {
  test('reads the top level when it opens, a folder when it is opened, and nothing of a folder never opened', async () => {
    const { page, problems, close } = await open(`/runs/${runId}?tab=overview`);
    const reads = await listingReads(page);
    try {
      // Opened again with every request seen from the start.
      await page.reload();
      await page.locator('#overview').waitFor();
      // Counted from the run's own answer: the tab says how many before anything is listed.
      await expect.poll(() => page.locator('#tab-artifacts').textContent(), eventually).toBe('Artifacts (210)');
      expect(reads).toEqual([]);

      await page.click('#tab-artifacts');
      await page.locator('.artifact-tree button[data-path="README.md"]').waitFor();
      expect(await names(page)).toEqual(['many/', 'model/', 'plots/', 'README.md']);
      expect(await page.locator('.artifact-tree [aria-expanded="true"]').count()).toBe(0);
      expect(reads).toEqual(['']);
      // Folder sizes still come from the run's answer (under 1,000 files), without reading the folders.
      const plots = page.locator('.artifact-tree button[data-folder="plots"]');
      expect(await plots.locator('.size').textContent()).toBe(
        `${'# plots/roc.txt\n'.length + '# plots/deep/pr.txt\n'.length} B`,
      );

      await plots.click();
      await page.locator('.artifact-tree button[data-path="plots/roc.txt"]').waitFor();
      expect(await names(page)).toEqual(['many/', 'model/', 'plots/', 'deep/', 'roc.txt', 'README.md']);
      expect(reads).toEqual(['', 'plots/']);

      // A file opened from a folder previews and offers its download: no listing read for it.
      await page.click('.artifact-tree button[data-path="plots/roc.txt"]');
      await expect
        .poll(() => page.locator('.artifact-preview pre').textContent(), eventually)
        .toContain('# plots/roc.txt');
      expect(await page.locator('.artifact-preview a[download]').getAttribute('download')).toBe('roc.txt');
      expect(new URL(page.url()).searchParams.get('artifact')).toBe('plots/roc.txt');

      // Closed and opened again: what was read is kept.
      await plots.click();
      await plots.click();
      await page.locator('.artifact-tree button[data-path="plots/roc.txt"]').waitFor();
      await page.click('.artifact-tree button[data-folder="plots/deep"]');
      await page.locator('.artifact-tree button[data-path="plots/deep/pr.txt"]').waitFor();
      expect(reads).toEqual(['', 'plots/', 'plots/deep/']);
      expect(reads.some((prefix) => prefix.startsWith('model') || prefix.startsWith('many'))).toBe(false);
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('a folder of more entries than a page shows the first 200 and the rest on demand, a page read each', async () => {
    const { page, problems, close } = await open(`/runs/${runId}?tab=artifacts`);
    const reads = await listingReads(page);
    try {
      await page.reload();
      await page.locator('.artifact-tree button[data-folder="many"]').click();
      const files = page.locator('.artifact-tree button[data-path^="many/"]');
      await expect.poll(() => files.count(), eventually).toBe(200);
      const more = page.getByRole('button', { name: 'Show more in many/' });
      await more.waitFor();
      expect(reads.filter((prefix) => prefix === 'many/')).toHaveLength(1);

      await more.click();
      await expect.poll(() => files.count(), eventually).toBe(manyCount);
      expect(await more.count()).toBe(0);
      expect(reads.filter((prefix) => prefix === 'many/')).toHaveLength(2);
      const shown = await files.evaluateAll((buttons) => buttons.map((button: any) => button.dataset.path as string));
      expect(new Set(shown).size).toBe(manyCount);
      expect(shown.at(-1)).toBe(`many/file-${manyCount - 1}.txt`);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('a link to a file deep in folders opens them and previews it', async () => {
    const { page, problems, close } = await open(`/runs/${runId}?artifact=plots/deep/pr.txt`);
    const reads = await listingReads(page);
    try {
      await page.reload();
      await expect
        .poll(() => page.locator('.artifact-preview pre').textContent(), eventually)
        .toContain('# plots/deep/pr.txt');
      await page.locator('.artifact-tree button[data-path="plots/deep/pr.txt"][aria-current="true"]').waitFor();
      expect(await page.locator('.artifact-tree button[data-folder="plots"]').getAttribute('aria-expanded')).toBe(
        'true',
      );
      // The folders the file is in, and its own record (its folder's first page may not hold it).
      expect(reads.filter((read) => !read.startsWith('whole:')).sort()).toEqual(['', 'plots/', 'plots/deep/']);
      expect(reads.filter((read) => read.startsWith('whole:'))).toEqual(['whole:plots/deep/pr.txt']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  test('on a phone (390 px wide) the opened tree and a preview fit the screen', async () => {
    const context = await session.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signInByLink(page, local.stack.url, local.stack.token, `/runs/${runId}?tab=artifacts`);
      for (const folder of ['model', 'model/data', 'plots', 'plots/deep']) {
        await page.click(`.artifact-tree button[data-folder="${folder}"]`);
        await page.locator(`.artifact-tree button[data-path^="${folder}/"]`).first().waitFor();
      }
      await page.click('.artifact-tree button[data-path="plots/deep/pr.txt"]');
      await page.locator('.artifact-preview pre').waitFor();
      const layout = await page.evaluate(() => {
        const document = (globalThis as any).document;
        const rights = [...document.querySelectorAll('.artifact-tree .node, .artifact-preview a[download]')].map(
          (element: any) => element.getBoundingClientRect().right as number,
        );
        return { pageWidth: document.documentElement.scrollWidth as number, right: Math.max(...rights) };
      });
      expect(layout.pageWidth).toBeLessThanOrEqual(390);
      expect(layout.right).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  });
});
