/** Where a process on the master's own host dials it (the embedded agent, the node CLI). */

/** The bind address, or loopback when the master listens on every interface; IPv6 in URL brackets. */
export function dialHost(bindAddress: string): string {
  const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
  return host.includes(':') ? `[${host}]` : host;
}
