import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (no browser download). The
 * flags keep it off the network it cannot reach and out of a sandbox it
 * cannot create as root; playwright gives each launch a fresh, empty profile.
 */
export const chromiumPath = process.env.STRATUS_CHROMIUM ?? '/usr/bin/chromium';

export interface BrowserSession {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

export type ColorScheme = 'light' | 'dark';

/** A page of its own (own sessionStorage) at a desktop size, in the given colour scheme. */
export async function newPage(
  browser: Browser,
  colorScheme: ColorScheme = 'light',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1360, height: 900 },
    colorScheme,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  return { context, page };
}

/** Signs in the way `npm start`'s link does: the token in the URL fragment. */
export async function signInByLink(page: Page, baseUrl: string, token: string, path = '/') {
  await page.goto(`${baseUrl}/#token=${token}`);
  await page.waitForSelector('.topbar');
  if (path !== '/') await page.goto(`${baseUrl}${path}`);
}
