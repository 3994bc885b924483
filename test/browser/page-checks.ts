import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type ColorScheme, newPage, signInByLink } from './browser.ts';

/**
 * What every browser test file does with a page: open it signed in (console
 * errors and CSP violations collected), check it with axe-core, photograph it.
 * STRATUS_UPDATE_SCREENSHOTS=1 writes the photos to docs/screenshots/ for the
 * README, otherwise to .stratus/test-results/.
 */
export const screenshotDirectory = process.env.STRATUS_UPDATE_SCREENSHOTS
  ? 'docs/screenshots'
  : '.stratus/test-results/screenshots';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions: a page that works has none. */
  problems: string[];
  close: () => Promise<void>;
}

/** A signed-in page of its own at `path`. */
export async function openSignedIn(
  browser: Browser,
  baseUrl: string,
  token: string,
  path: string,
  colorScheme: ColorScheme = 'light',
): Promise<Opened> {
  const { context, page } = await newPage(browser, colorScheme);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await signInByLink(page, baseUrl, token, path);
  return { page, problems, close: () => context.close() };
}

/** axe-core in the page (evaluated over the debugging protocol, so the app's CSP stays on). */
export async function seriousViolations(page: Page) {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(() =>
    (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] }),
  )) as { violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> };
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

export async function photograph(page: Page, name: string, colorScheme: ColorScheme) {
  mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: join(screenshotDirectory, `${name}-${colorScheme}.png`), fullPage: false });
}
