import { resolve } from 'node:path';
import { z } from 'zod';
import { LOOPBACK_PROXIES, TrustedProxies } from './http/client-address.ts';

const httpUrl = z.string().regex(/^(https?:\/\/|\/)/, 'must be an http(s) URL or a path on this server');
const basemapList = z
  .array(
    z.discriminatedUnion('type', [
      z.object({ id: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/), name: z.string().min(1).max(40), type: z.literal('xyz'), tiles: z.array(httpUrl).min(1), attribution: z.string().max(200).default('') }),
      z.object({ id: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/), name: z.string().min(1).max(40), type: z.literal('pmtiles'), url: httpUrl, attribution: z.string().max(200).default(''), schema: z.enum(['civgrid', 'raster']).optional() }),
    ]),
  )
  .max(20);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Unset: 0.0.0.0, or 127.0.0.1 when the only trusted proxies are on this machine (see loadConfig). */
  HOST: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CIVGRID_DATA_DIR: z.string().min(1).default('./data'),
  CIVGRID_WEB_ROOT: z.string().min(1).optional(),
  /**
   * Seed the demo district (象山区) when the database is empty, with its demo accounts. Unset: on,
   * unless a first admin is configured (CIVGRID_ADMIN_USERNAME), which marks a real installation.
   */
  CIVGRID_DEMO: z.enum(['true', 'false', '1', '0']).optional().transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  /** Behind a reverse proxy (nginx): take the client address and https from X-Forwarded-For / -Proto. */
  CIVGRID_TRUST_PROXY: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  /**
   * The proxies whose X-Forwarded-* are believed (with CIVGRID_TRUST_PROXY): IP addresses and CIDR
   * ranges separated by commas or spaces. Unset: loopback (127.0.0.0/8, ::1), a proxy on this machine.
   */
  CIVGRID_TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (value ?? '').split(/[\s,]+/).filter(Boolean);
      if (entries.length === 0) return undefined;
      try {
        TrustedProxies.parse(entries);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must list IP addresses or CIDR ranges (${(error as Error).message})` });
        return z.NEVER;
      }
      return entries;
    }),
  /** Hours a session may sit unused before it ends (sessions end after 7 days regardless). */
  CIVGRID_SESSION_HOURS: z.coerce.number().min(0.05).max(168).default(8),
  /** The first admin, created on a start that finds no accounts at all (then ignored). */
  CIVGRID_ADMIN_USERNAME: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$/, 'must be 2–40 letters, digits, dots, dashes or underscores').optional(),
  CIVGRID_ADMIN_PASSWORD: z.string().min(10, 'must have at least 10 characters').max(200).optional(),
  /**
   * This process's name among several behind a proxy (the systemd unit sets `<host>:<port>`): sent as
   * the X-Civgrid-Instance header of every answer and in GET /api/health, so an operator can tell which
   * process answered. Unset: not sent.
   */
  CIVGRID_INSTANCE: z.string().regex(/^[A-Za-z0-9._:@-]{1,64}$/, 'must be 1–64 letters, digits, dots, colons, @, dashes or underscores').optional(),
  /**
   * Build the built-in offline basemap (data/tiles/basemap.pmtiles) from the
   * database when it is missing: at the first start, and when it was deleted.
   * false: only `tiles:basemap` writes it.
   */
  CIVGRID_BASEMAP_AUTOBUILD: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** 天地图 key; when set, Tianditu is offered as a basemap. */
  CIVGRID_TIANDITU_KEY: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'must be a Tianditu key (letters and digits)').optional(),
  /** More basemaps: a JSON array of {id, name, type: "xyz"|"pmtiles", tiles|url, attribution}. */
  CIVGRID_BASEMAPS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value) return [];
      try {
        return basemapList.parse(JSON.parse(value));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON array of basemaps (${error instanceof Error ? error.message.slice(0, 200) : 'invalid'})` });
        return z.NEVER;
      }
    }),
});

const checked = schema.superRefine((v, ctx) => {
  if ((v.CIVGRID_ADMIN_USERNAME === undefined) !== (v.CIVGRID_ADMIN_PASSWORD === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['CIVGRID_ADMIN_PASSWORD'], message: 'set CIVGRID_ADMIN_USERNAME and CIVGRID_ADMIN_PASSWORD together' });
  }
  if (v.CIVGRID_TRUSTED_PROXIES && !v.CIVGRID_TRUST_PROXY) {
    ctx.addIssue({ code: 'custom', path: ['CIVGRID_TRUSTED_PROXIES'], message: 'takes effect only with CIVGRID_TRUST_PROXY=true; set both' });
  }
});

export type Config = Omit<z.infer<typeof schema>, 'CIVGRID_WEB_ROOT' | 'CIVGRID_DEMO' | 'HOST' | 'CIVGRID_TRUSTED_PROXIES'> & {
  HOST: string;
  CIVGRID_WEB_ROOT: string;
  CIVGRID_DEMO: boolean;
  /** The proxies believed; empty when CIVGRID_TRUST_PROXY is off. */
  CIVGRID_TRUSTED_PROXIES: string[];
};

/** Parse the environment once at start; fail fast naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = checked.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const proxies = parsed.data.CIVGRID_TRUST_PROXY ? (parsed.data.CIVGRID_TRUSTED_PROXIES ?? [...LOOPBACK_PROXIES]) : [];
  // behind a proxy on this machine, nobody else need reach the port; a proxy elsewhere must
  const onlyLocalProxies = proxies.length > 0 && TrustedProxies.parse(proxies).onlyLoopback;
  return {
    ...parsed.data,
    HOST: parsed.data.HOST ?? (onlyLocalProxies ? '127.0.0.1' : '0.0.0.0'),
    CIVGRID_TRUSTED_PROXIES: proxies,
    CIVGRID_DEMO: parsed.data.CIVGRID_DEMO ?? parsed.data.CIVGRID_ADMIN_USERNAME === undefined,
    CIVGRID_WEB_ROOT: parsed.data.CIVGRID_WEB_ROOT ?? resolve(import.meta.dirname, '../../web/dist'),
  };
}
