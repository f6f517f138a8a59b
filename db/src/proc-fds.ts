import { readdirSync, readlinkSync } from 'node:fs';

/**
 * Linux: the processes (other than this one, unless `includeSelf`) holding an open file descriptor whose target
 * (`readlink /proc/PID/fd/N`) passes `match`, from /proc; an empty list where
 * /proc cannot be read. Only processes whose descriptors we may read are seen.
 */
export function processesWithOpen(match: (target: string) => boolean, options: { limit?: number; includeSelf?: boolean } = {}): number[] {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && (options.includeSelf || Number(name) !== process.pid));
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      try {
        if (match(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          found.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
    if (found.length >= limit) break;
  }
  return found;
}
