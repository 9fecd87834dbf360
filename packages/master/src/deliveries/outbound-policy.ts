/**
 * Where outgoing requests (webhooks, Slack, Telegram, SMTP) may connect: `outbound_allowed_hosts`. `*` allows any
 * PUBLIC address: loopback, private, link-local, CGNAT, unique-local, unspecified, multicast and reserved
 * addresses, the IPv6 forms that embed one of those (IPv4-mapped and -compatible, NAT64, 6to4, Teredo) and the
 * cloud metadata names and addresses are refused, so a webhook URL can't be used to read internal services or
 * instance credentials. A name, `*.suffix`, IP or CIDR listed explicitly is allowed even there (the operator's own
 * choice). Addresses are classified with ipaddr.js (the parser fastify's proxy-addr uses), which also reads the
 * decimal, octal and hex IPv4 notations. The check runs on the addresses a name resolves to at connect time (see
 * `lookup`), so DNS that changes between validation and connection (rebinding) can't slip past it; `urlRefusal`
 * and `hostRefusal` check what can be known without DNS when a webhook or channel is saved.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { CatalogueError } from '@scrapyard/protocol';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Cloud metadata endpoints; most are in a refused range anyway, but Azure's wire server is a public address. */
const METADATA_ADDRESSES = [
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean, ...
  '169.254.170.2', // AWS ECS task credentials
  '168.63.129.16', // Azure wire server
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud
  'fd00:ec2::254', // AWS over IPv6
].map((a) => ipaddr.parse(a));
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** What each refused ipaddr.js range is, in a message. Anything but `unicast` is refused. */
const RANGE_TEXT: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  private: 'a private',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10)',
  uniqueLocal: 'a unique-local (fc00::/7)',
  reserved: 'a reserved',
};

export class OutboundRefused extends CatalogueError {
  declare readonly code: 'OUTBOUND_REFUSED';
  constructor(message: string) {
    super('OUTBOUND_REFUSED', message);
  }
}

/** An IP address in any notation ipaddr.js reads (brackets and a zone id allowed), or null for a name. */
function parseAddress(s: string): Address | null {
  const bare = s.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return null;
  try {
    return ipaddr.parse(bare);
  } catch {
    return null;
  }
}

/** The IPv4 address an IPv6 address carries in a transition form (mapped, compatible, NAT64, 6to4, Teredo). */
function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = a.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = a.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return v4(p[6]!, p[7]!);
  if (range === 'rfc6052' && p.slice(0, 6).every((x, i) => x === (i === 0 ? 0x64 : i === 1 ? 0xff9b : 0))) {
    return v4(p[6]!, p[7]!);
  }
  if (range === '6to4') return v4(p[1]!, p[2]!);
  if (range === 'teredo') return v4(~p[6]! & 0xffff, ~p[7]! & 0xffff);
  // IPv4-compatible (::a.b.c.d, deprecated); :: and ::1 are their own ranges.
  if (p.slice(0, 6).every((x) => x === 0) && range === 'unicast') return v4(p[6]!, p[7]!);
  return null;
}

/** Why `a` is not a public address (a phrase for a message), or null when it is. */
function nonPublic(a: Address): string | null {
  if (METADATA_ADDRESSES.some((m) => m.kind() === a.kind() && m.toString() === a.toString())) {
    return 'a cloud metadata address';
  }
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6;
    const range = v6.range();
    const inner = embeddedIPv4(v6);
    if (inner) {
      if (range === 'teredo') return 'a Teredo tunnel address';
      const why = nonPublic(inner);
      return why ? `${why} (${inner.toString()} in an IPv6 form)` : null;
    }
    if (range === 'rfc6052') return 'a local-use NAT64 address';
    return range === 'unicast' ? null : `${RANGE_TEXT[range] ?? `a special-purpose (${range})`} address`;
  }
  const range = (a as ipaddr.IPv4).range();
  return range === 'unicast' ? null : `${RANGE_TEXT[range] ?? `a special-purpose (${range})`} address`;
}

/** A host as a URL or a config names it: lower case, no brackets or trailing dot, IPv4 notations made canonical. */
export function canonicalHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  const bare = h.replace(/^\[(.*)\]$/, '$1');
  // The WHATWG URL parser is what http.request sees: it turns 127.1, 0x7f.1 or 2130706433 into 127.0.0.1.
  try {
    return new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : h}/`).hostname
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
  } catch {
    return bare;
  }
}

function isLocalhostName(h: string): boolean {
  return h === 'localhost' || h.endsWith('.localhost') || h === 'localhost.localdomain';
}

const HOW_TO_ALLOW = 'outgoing requests go only to public addresses unless outbound_allowed_hosts lists it';

export class OutboundPolicy {
  readonly #any: boolean;
  readonly #names = new Set<string>();
  readonly #suffixes: string[] = [];
  readonly #ranges: [Address, number][] = [];

  constructor(entries: readonly string[]) {
    this.#any = entries.includes('*');
    for (const raw of entries) {
      const e = raw.trim().toLowerCase();
      if (e === '' || e === '*') continue;
      const cidr = /^(.+)\/(\d{1,3})$/.exec(e);
      const address = parseAddress(cidr ? cidr[1]! : e);
      if (address) {
        const bits = cidr ? Number(cidr[2]) : address.kind() === 'ipv4' ? 32 : 128;
        this.#ranges.push([address, bits]);
        // An IPv4-mapped entry also lists the IPv4 address it is (and the other way round in #listedAddress).
        const inner = address.kind() === 'ipv6' ? embeddedIPv4(address as ipaddr.IPv6) : null;
        if (inner && bits >= 96) this.#ranges.push([inner, bits - 96]);
      } else if (e.startsWith('*.')) this.#suffixes.push(e.slice(1).replace(/\.$/, ''));
      else this.#names.add(canonicalHost(e));
    }
  }

  /** Whether the host name itself is listed (then its addresses are not checked). */
  #listedName(h: string): boolean {
    return this.#names.has(h) || this.#suffixes.some((s) => h.endsWith(s));
  }

  #listedAddress(a: Address): boolean {
    const inner = a.kind() === 'ipv6' ? embeddedIPv4(a as ipaddr.IPv6) : null;
    return this.#ranges.some(
      ([r, bits]) =>
        (r.kind() === a.kind() && a.match(r, bits)) || (inner !== null && r.kind() === 'ipv4' && inner.match(r, bits)),
    );
  }

  /** Why connecting to `address` (resolved from `host`) is refused, or null when it is allowed. */
  refusal(host: string, address: string): string | null {
    const h = canonicalHost(host);
    if (this.#listedName(h)) return null;
    const a = parseAddress(address);
    if (!a) return `${address} is not an IP address`;
    if (this.#listedAddress(a)) return null;
    if (!this.#any) return `${host} is not in outbound_allowed_hosts`;
    if (METADATA_NAMES.has(h)) return `${host} is a cloud metadata name; ${HOW_TO_ALLOW}`;
    const why = nonPublic(a);
    if (!why) return null;
    const what = h === canonicalHost(address) ? address : `${host} (${address})`;
    return `${what} is ${why}; ${HOW_TO_ALLOW}`;
  }

  /**
   * What can be refused before any DNS lookup: an address literal in any notation, `localhost` and its
   * subdomains (loopback by definition), the metadata names. Other names are checked when connecting.
   */
  hostRefusal(host: string): string | null {
    const h = canonicalHost(host);
    if (this.#listedName(h)) return null;
    const a = parseAddress(h);
    if (a) return this.refusal(h, a.toString());
    if (isLocalhostName(h)) {
      const v4 = this.refusal(h, '127.0.0.1');
      return v4 && this.refusal(h, '::1') ? v4 : null;
    }
    if (this.#any && METADATA_NAMES.has(h)) return `${h} is a cloud metadata name; ${HOW_TO_ALLOW}`;
    return null;
  }

  /** `hostRefusal` of a URL's host. */
  urlRefusal(url: string): string | null {
    return this.hostRefusal(new URL(url).hostname);
  }

  /**
   * A `net`/`http` lookup function that resolves like the default one and keeps only the addresses the policy
   * allows; a name with none left is refused.
   */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      let why: string | null = null;
      const allowed = addresses.filter((a) => {
        const r = this.refusal(hostname, a.address);
        why ??= r;
        return r === null;
      });
      const first = allowed[0];
      if (!first) return callback(new OutboundRefused(why ?? `${hostname} resolved to no address`), []);
      if ((options as { all?: boolean }).all) return callback(null, allowed);
      callback(null, first.address, first.family);
    });
  };

  /** Resolves `host` to one allowed address (for clients that take no lookup function, such as SMTP). */
  resolve(host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.lookup(host, {}, (err, address) => (err ? reject(err) : resolve(address as string)));
    });
  }
}
