import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Download, type Page } from 'playwright-core';

/**
 * Debian's Chromium for the browser tests, headless with software WebGL.
 * Without it the tests skip, unless CI is set: then they fail.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);
export const skipBrowser = !haveChromium && !process.env.CI;
if (skipBrowser) console.warn(`[e2e] skipped: no Chromium at ${chromiumPath} (install Debian's chromium or set CHROMIUM_PATH)`);

export const chromiumArgs = [
  '--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/**
 * Chromium for one test file: a connection to the tier's shared browser when
 * the e2e global setup started one (browser-server.ts; closing it closes this
 * file's contexts and disconnects), otherwise a browser of its own.
 */
export async function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`No Chromium at ${chromiumPath}: CI is set, so the browser test fails instead of skipping`);
  const endpoint = await sharedChromium();
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** The shared browser's address inside a vitest worker that was given one (benchmarks run outside vitest). */
async function sharedChromium(): Promise<string | null> {
  if (!process.env.VITEST) return null;
  const { inject } = await import('vitest');
  return inject('chromiumEndpoint') ?? null;
}

/** A page that records every page error, console error and failed response into `problems`. */
export async function watchedPage(browser: Browser, problems: string[], viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return page;
}

/**
 * The bytes of a finished download. The browser is shared and reached over a
 * connection (see browser-server.ts), where `download.path()` is not
 * available: the file is saved to a temporary folder and read back.
 */
export async function downloadedBytes(download: Download): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'civgrid-download-'));
  try {
    const file = join(dir, 'download');
    await download.saveAs(file);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
