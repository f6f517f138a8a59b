import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { errorBody } from './errors.ts';

/**
 * Hono's zod validator with our hook: a failure answers 400 in the one error
 * shape, naming each bad field, and never echoes the input back.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({ field: issue.path.join('.') || target, message: issue.message }));
      return c.json(errorBody('invalid_request', `Invalid ${target}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details), 400);
    }
  });
}
