import { BlockList, isIP } from 'node:net';

/** The proxies trusted when CIVGRID_TRUST_PROXY is on and no list is given: this machine's. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.0/8', '::1'];

/**
 * An address as a bare IP (IPv4-mapped IPv6 as IPv4), or undefined when it is
 * not one. A port is dropped (`1.2.3.4:80`, `[::1]:80`: some proxies write them).
 */
export function normaliseAddress(raw: string): string | undefined {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(value);
  if (mapped) value = mapped[1]!;
  return isIP(value) === 0 ? undefined : value.toLowerCase();
}

/**
 * The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
 * believed: a list of addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`,
 * `::1`, `fd00::/8`), matched with node's BlockList.
 */
export class TrustedProxies {
  private constructor(
    private readonly list: BlockList,
    /** The entries as given, for logs and the bind default. */
    readonly entries: readonly string[],
  ) {}

  /** Parses the list; throws naming the first entry that is not an address or a CIDR range. */
  static parse(entries: readonly string[]): TrustedProxies {
    const list = new BlockList();
    for (const entry of entries) {
      const [address, prefix, ...rest] = entry.trim().split('/');
      const ip = address === undefined ? undefined : normaliseAddress(address);
      const family = ip === undefined ? 0 : isIP(ip);
      const bits = prefix === undefined ? undefined : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
      if (!ip || rest.length > 0 || (bits !== undefined && !(bits >= 0 && bits <= (family === 4 ? 32 : 128)))) {
        throw new Error(`"${entry}" is not an IP address or CIDR range`);
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) list.addAddress(ip, type);
      else list.addSubnet(ip, bits, type);
    }
    return new TrustedProxies(list, [...entries]);
  }

  trusts(address: string): boolean {
    const ip = normaliseAddress(address);
    if (!ip) return false;
    return this.list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
  }

  /** Whether every entry lies on this machine (loopback), so the server need not listen beyond it. */
  get onlyLoopback(): boolean {
    return this.entries.every((entry) => {
      const [address, prefix] = entry.trim().split('/');
      const ip = address === undefined ? undefined : normaliseAddress(address);
      if (ip === '::1') return prefix === undefined || prefix === '128';
      return ip !== undefined && isIP(ip) === 4 && ip.startsWith('127.') && (prefix === undefined || Number(prefix) >= 8);
    });
  }
}

/**
 * Who sent the request. `peer` is the socket's address; null for a request
 * made in-process (`app.request` in tests and scripts), which has no socket
 * and is as trusted as this machine.
 *
 * Without trusted proxies, or when the peer is not one of them, the peer is
 * the client: anyone reaching the port directly cannot choose an address by
 * sending X-Forwarded-For. From a trusted proxy, X-Forwarded-For is read from
 * the right (each proxy appends the address it saw) and the first address
 * that is not a trusted proxy is the client; what lies left of it was written
 * by the client and is not believed. A hop that is not an address means the
 * chain cannot be read: the peer is answered.
 */
export function clientAddress(peer: string | null, forwardedFor: string | undefined, proxies: TrustedProxies | null): string {
  const direct = peer === null ? 'unknown' : (normaliseAddress(peer) ?? 'unknown');
  if (!proxies || !fromTrustedProxy(peer, proxies)) return direct;
  const hops = (forwardedFor ?? '').split(',').map((hop) => hop.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i]!);
    if (hop === undefined) return direct;
    if (!proxies.trusts(hop) || i === 0) return hop;
  }
  return direct;
}

/** Whether the request came through a trusted proxy (so its X-Forwarded-* headers are believed). */
export function fromTrustedProxy(peer: string | null, proxies: TrustedProxies | null): boolean {
  if (!proxies) return false;
  return peer === null || proxies.trusts(peer);
}
