import type { TestProject } from 'vitest/node';
import { prepareTemplate } from './template.ts';

/** Builds (or reuses) the migrated and seeded template every test file clones. */
export default async function setup(project: TestProject): Promise<void> {
  const template = await prepareTemplate();
  project.provide('template', template);
}

declare module 'vitest' {
  export interface ProvidedContext {
    template: import('./template.ts').TemplateRef;
  }
}
