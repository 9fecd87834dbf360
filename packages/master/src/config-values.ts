/** The value types of the master's config keys (config.ts): how a string from a file or variable becomes one. */
import { z } from 'zod';

export const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: 'not a boolean (on/off, true/false, yes/no, 1/0)' });
  return z.NEVER;
});
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,]+/).filter(Boolean)));

/** `*`, or an origin (`https://host[:port]`), normalized to the form browsers send in `Origin`. */
export function normalizeOrigin(v: string, ctx: z.RefinementCtx): string {
  if (v === '*') return v;
  const u = URL.canParse(v) ? new URL(v) : null;
  if (u && /^https?:$/.test(u.protocol) && u.pathname === '/' && !u.search && !u.hash && !u.username) return u.origin;
  ctx.addIssue({ code: 'custom', message: `"${v}" is not an origin (http(s)://host[:port], no path) or *` });
  return z.NEVER;
}
