import { resolve } from 'node:path';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CIVGRID_DATA_DIR: z.string().min(1).default('./data'),
  CIVGRID_WEB_ROOT: z.string().min(1).optional(),
  /** Seed the demo district (象山区) when the database is empty. */
  CIVGRID_DEMO: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = Omit<z.infer<typeof schema>, 'CIVGRID_WEB_ROOT'> & { CIVGRID_WEB_ROOT: string };

/** Parse the environment once at start; fail fast naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return {
    ...parsed.data,
    CIVGRID_WEB_ROOT: parsed.data.CIVGRID_WEB_ROOT ?? resolve(import.meta.dirname, '../../web/dist'),
  };
}
