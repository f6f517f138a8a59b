import type { TestProject } from 'vitest/node';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, haveChromium } from './browser.ts';

/**
 * One headless Chromium for the whole browser tier: test files connect to it
 * (`launchChromium`) instead of starting their own, and each works in
 * contexts of its own, so nothing but the process is shared.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!haveChromium) {
    project.provide('chromiumEndpoint', null);
    return undefined;
  }
  const server = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
  project.provide('chromiumEndpoint', server.wsEndpoint());
  return () => server.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** WebSocket address of the tier's shared Chromium; null without one. */
    chromiumEndpoint: string | null;
  }
}
