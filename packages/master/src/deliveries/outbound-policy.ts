/**
 * Where outgoing requests (webhooks, Slack, Telegram, SMTP) may connect: `outbound_allowed_hosts`. `*` allows any
 * host whose addresses are not link-local or a cloud metadata endpoint, so a webhook URL can't be used to read
 * instance credentials; a name, `*.suffix`, IP or CIDR listed explicitly is allowed even there (an operator's own
 * choice). The check runs on the addresses a name resolves to at connect time (see `lookup`), so DNS that
 * changes between validation and connection (rebinding) can't slip past it.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** Never reached through `*`: link-local (where cloud metadata lives) and the metadata names and addresses. */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
const FORBIDDEN_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data']);

export class OutboundRefused extends Error {
  readonly code = 'OUTBOUND_REFUSED';
}

/** IPv4-mapped IPv6 (`::ffff:169.254.169.254`) is checked as the IPv4 address it is. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class OutboundPolicy {
  readonly #any: boolean;
  readonly #names = new Set<string>();
  readonly #suffixes: string[] = [];
  readonly #addresses = new BlockList();
  readonly #hasAddresses: boolean;

  constructor(entries: readonly string[]) {
    this.#any = entries.includes('*');
    let addresses = false;
    for (const raw of entries) {
      const e = raw.trim().toLowerCase();
      if (e === '' || e === '*') continue;
      const cidr = /^([^/]+)\/(\d{1,3})$/.exec(e);
      if (cidr && isIP(cidr[1]!)) {
        const p = plain(cidr[1]!);
        this.#addresses.addSubnet(p.address, Number(cidr[2]), p.family);
        addresses = true;
      } else if (isIP(e)) {
        const p = plain(e);
        this.#addresses.addAddress(p.address, p.family);
        addresses = true;
      } else if (e.startsWith('*.')) this.#suffixes.push(e.slice(1));
      else this.#names.add(e.replace(/\.$/, ''));
    }
    this.#hasAddresses = addresses;
  }

  /** Whether the host name itself is listed (then its addresses are not checked against the forbidden ranges). */
  #listedName(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.#names.has(h) || this.#suffixes.some((s) => h.endsWith(s));
  }

  #listedAddress(address: string): boolean {
    if (!this.#hasAddresses) return false;
    const p = plain(address);
    return this.#addresses.check(p.address, p.family);
  }

  /** Why connecting to `address` (resolved from `host`) is refused, or null when it is allowed. */
  refusal(host: string, address: string): string | null {
    if (this.#listedName(host) || this.#listedAddress(address)) return null;
    if (!this.#any) return `${host} is not in outbound_allowed_hosts`;
    const p = plain(address);
    if (FORBIDDEN_NAMES.has(host.toLowerCase().replace(/\.$/, '')) || FORBIDDEN.check(p.address, p.family)) {
      return `${host} (${address}) is a link-local or cloud metadata address; list it in outbound_allowed_hosts to allow it`;
    }
    return null;
  }

  /** A `net`/`http` lookup function that resolves like the default one and refuses what the policy forbids. */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const a of addresses) {
        const why = this.refusal(hostname, a.address);
        if (why) return callback(new OutboundRefused(why), []);
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} resolved to no address`), []);
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
