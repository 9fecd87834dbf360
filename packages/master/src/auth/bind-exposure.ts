/**
 * Start-up refusal of an open master: without basic-auth credentials anyone who reaches the port can deploy an
 * egg, i.e. run code as the master's user. That is acceptable on loopback (Scrapyd's default) and must be
 * chosen explicitly (`allow_unauthenticated = on`) anywhere else.
 */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * True only for addresses that can't be reached from another host: 127.0.0.0/8, ::1, IPv4-mapped 127.x and
 * `localhost`. Any other name counts as exposed, since it may resolve to anything.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (!isIPv6(h)) return false;
  // The URL parser writes IPv6 in its canonical compressed form: ::1, and ::ffff:7fxx:xxxx for mapped 127.x.
  const canonical = new URL(`http://[${h}]/`).hostname.slice(1, -1);
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

export interface ExposureInput {
  bindAddress: string;
  username: string;
  password: string;
  allowUnauthenticated: boolean;
  /** Users exist in the store (auth/stored-users.ts): they are credentials too. */
  hasUsers?: boolean;
}

/**
 * `refuse` with the reason when the configuration would serve the world without credentials, `warn` when the
 * operator allowed exactly that, `ok` otherwise.
 */
export function checkExposure(c: ExposureInput): { verdict: 'ok' } | { verdict: 'refuse' | 'warn'; message: string } {
  if (isLoopbackAddress(c.bindAddress) || (c.username !== '' && c.password !== '') || c.hasUsers) {
    return { verdict: 'ok' };
  }
  if (c.allowUnauthenticated) {
    return {
      verdict: 'warn',
      message: `listening on ${c.bindAddress} without credentials (allow_unauthenticated = on): anyone who reaches this port can deploy and run code`,
    };
  }
  return {
    verdict: 'refuse',
    message:
      `bind_address ${c.bindAddress} is not a loopback address and no username/password is set, so anyone who ` +
      'reaches the port could deploy and run code: set username and password (or create an admin: ' +
      '`scrapyard-master user add NAME --role admin`), bind to 127.0.0.1, or set ' +
      'allow_unauthenticated = on if a proxy or firewall guards the port',
  };
}
