import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { boundsOf } from '../../http/geo-bounds.ts';
import { validate } from '../../http/validate.ts';
import { comment, idempotencyKeyOf } from '../../http/write-params.ts';
import { CRS_IDS } from '../../services/import-read.ts';
import { MAX_IMPORT_BYTES } from '../../services/import.service.ts';

const field = z.string().trim().min(1).max(100);

const importForm = z.object({
  file: z.instanceof(File, { message: 'must be a file' }),
  layer: z.enum(['zones', 'road-sections']),
  duty: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be a duty type id').optional(),
  // empty or "auto": let the file say
  crs: z.enum([...CRS_IDS, 'auto', '']).optional().transform((v) => (v === 'auto' || v === '' ? undefined : v)),
  nameField: field.optional(),
  ownerField: field.optional(),
  ownerOrgId: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Imports (see ImportService): POST a file as multipart/form-data for a
 * preview with per-feature findings, then commit the preview, all or nothing.
 */
export function importRoutes({ imports }: Services) {
  return new Hono<Env>()
    .post('/', validate('form', importForm), async (c) => {
      const form = c.req.valid('form');
      if (form.file.size > MAX_IMPORT_BYTES) {
        throw new AppError(413, 'file_too_large', `The file has ${(form.file.size / 1048576).toFixed(1)} MB; the limit is ${MAX_IMPORT_BYTES / 1048576} MB.`);
      }
      const bytes = new Uint8Array(await form.file.arrayBuffer());
      return c.json(
        await imports.preview(userOf(c), {
          fileName: form.file.name || 'import',
          bytes,
          layer: form.layer,
          duty: form.duty,
          crs: form.crs,
          nameField: form.nameField,
          ownerField: form.ownerField,
          ownerOrgId: form.ownerOrgId,
          bounds: await boundsOf(c),
        }),
      );
    })
    .post('/:previewId/commit', validate('json', z.object({ comment })), async (c) => {
      const previewId = c.req.param('previewId');
      // Not a preview id we hand out: nothing to find, like an expired one.
      if (!UUID.test(previewId)) throw notFound('preview_not_found', 'No such import preview.');
      const key = idempotencyKeyOf(c);
      const answer = await imports.commit(userOf(c), actorOf(c), previewId.toLowerCase(), c.req.valid('json').comment ?? null, key);
      if (key) c.header('idempotency-key', key);
      return c.json(answer.body as object, answer.status as 201);
    });
}
