import { z } from 'zod';

/**
 * The problem list's and timeline's wire shapes that the server validates
 * and the web app reads (as types): sort orders, the to-do switch, the page's
 * total and the timeline's named actors.
 */

/** The list's orders, by report time: `newest` (the default) or `oldest` first. */
export const PROBLEM_SORTS = ['newest', 'oldest'] as const;
export const problemSort = z.enum(PROBLEM_SORTS);
export type ProblemSort = z.infer<typeof problemSort>;

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Query parameters the list takes beside the filters: the order, and `todo=true` for the caller's own next steps. */
export const problemListExtras = z.object({
  sort: problemSort.default('newest'),
  todo: flag.optional(),
});

/** A page of the list: `next` is the `before` of the following page; `total` counts every problem the filters match for this reader. */
export const problemPageMeta = z.object({
  next: z.number().int().positive().nullable(),
  total: z.number().int().nonnegative(),
});
export type ProblemPageMeta = z.infer<typeof problemPageMeta>;

/** One step of a problem's history; `actorName` is the account's display name (null: a citizen or the system). */
export const timelineEntry = z.object({
  id: z.number().int(),
  action: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  actor: z.string().nullable(),
  actorName: z.string().nullable(),
  note: z.string().nullable(),
  at: z.string(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;
