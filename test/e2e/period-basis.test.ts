/**
 * Periods say which date they filter on (issue 16, "a demo that never ages"):
 * in headless Chromium, in Chinese and in English, the problems list's dates
 * are report dates, the heat map's period is by report date, the indicators
 * name the date each column counts by (due, closing, report) and the
 * red/black list says it counts by due date. Each screen's period labels are
 * read where a person reads them, next to the period.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves each screen there.
 */
/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { type E2eApp, startE2eApp } from '../support/e2e-app.ts';

const shots = process.env.CIVGRID_SCREENSHOT_DIR;

/** What each screen must say about its period's date, in each language. */
const BASIS = {
  zh: {
    problems: ['上报日期自', '至'],
    heat: '上报时间',
    indicators: ['到期时间', '结案时间', '上报时间'],
    rankings: '按到期时间统计',
  },
  en: {
    problems: ['Reported from', 'to'],
    heat: 'Report date',
    indicators: ['due date', 'closing date', 'report date'],
    rankings: 'by due date',
  },
} as const;

describe.skipIf(skipBrowser)('period filters name their date', () => {
  let app: E2eApp | undefined;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startE2eApp({ demo: true });
    baseUrl = app.baseUrl;
    browser = await launchChromium();
    page = await watchedPage(browser, problems);
    const login = await page.context().request.post(`${baseUrl}/api/auth/login`, { data: { username: 'supervisor', password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await page.goto(baseUrl);
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await page.evaluate(() => document.body.dataset.mapReady)).toBe('true');
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function shot(name: string): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `period-basis-${name}.png`) });
  }

  /** The visible text of the label that holds this input. */
  const labelOf = (testid: string) => page.getByTestId(testid).evaluate((el) => (el.closest('label')?.textContent ?? '').trim());

  for (const lang of ['zh', 'en'] as const) {
    it(`says so in ${lang === 'zh' ? 'Chinese' : 'English'} on the problems, heat-map and indicators screens`, async () => {
      const want = BASIS[lang];
      const isEnglish = async () => (await page.evaluate(() => document.documentElement.lang)).startsWith('en');
      if ((lang === 'en') !== (await isEnglish())) await page.getByTestId('language-toggle').click();
      await expect.poll(isEnglish).toBe(lang === 'en');

      await page.getByTestId('problems-toggle').click();
      await page.getByTestId('problems-filter-from').waitFor();
      expect(await labelOf('problems-filter-from')).toBe(want.problems[0]);
      expect(await labelOf('problems-filter-to')).toBe(want.problems[1]);
      await shot(`${lang}-problems`);
      await page.getByTestId('problems-toggle').click();
      await page.getByTestId('problems-panel').waitFor({ state: 'detached' });

      await page.getByTestId('heatmap-toggle').click();
      await expect.poll(() => page.getByTestId('heat-period-label').textContent()).toBe(want.heat);
      // the period's buttons are named by it, for a screen reader too
      expect(await page.getByTestId('heat-period').getAttribute('aria-label')).toBe(want.heat);
      await shot(`${lang}-heatmap`);
      await page.getByTestId('heatmap-toggle').click();
      await page.getByTestId('heatmap-panel').waitFor({ state: 'detached' });

      await page.getByTestId('indicators-toggle').click();
      const basis = page.getByTestId('indicators-period-basis');
      await basis.waitFor();
      const text = (await basis.textContent()) ?? '';
      for (const words of want.indicators) expect(text).toContain(words);
      await shot(`${lang}-indicators`);
      await page.getByTestId('rankings-tab').click();
      await expect.poll(async () => (await page.getByTestId('rankings-period-label').textContent()) ?? '', { timeout: 30_000 }).toContain(want.rankings);
      await shot(`${lang}-rankings`);
      await page.getByTestId('indicators-tab').click();
      await page.getByTestId('indicators-toggle').click();
      await page.getByTestId('indicators-panel').waitFor({ state: 'detached' });

      expect(problems).toEqual([]);
    });
  }
});
