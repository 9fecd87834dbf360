/**
 * Editing a user's grants (pure): a role on `*` or on named projects, what a grant request sends, and what a revoke
 * sends for one project or the whole role. The server merges a grant with one of the same role; these only build
 * the requests and describe the grants.
 */
import type { UserGrant, UserRole } from '@scrapyard/protocol';

export type Scope = '*' | readonly string[];

/** A grant's reach as read: "all projects" or the names. */
export function describeScope(projects: Scope): string {
  return projects === '*' ? 'all projects' : projects.join(', ');
}

/** A form's projects: `*` when "all" is chosen, else the names picked (trimmed, no blanks or duplicates). */
export function scopeOf(all: boolean, picked: readonly string[]): Scope | undefined {
  if (all) return '*';
  const names = [...new Set(picked.map((p) => p.trim()).filter((p) => p !== ''))];
  return names.length === 0 ? undefined : names;
}

/** Adds a project to a picked list (no duplicate, blanks ignored). */
export function addProject(picked: readonly string[], project: string): string[] {
  const p = project.trim();
  return p === '' || picked.includes(p) ? [...picked] : [...picked, p];
}

export function removeProject(picked: readonly string[], project: string): string[] {
  return picked.filter((p) => p !== project);
}

/**
 * What revoking one project of a grant sends: the project alone, except when it is the grant's last (or the grant is
 * `*`): then the whole role, since a grant needs at least one project.
 */
export function revokeOne(grant: UserGrant, project: string | undefined): { role: UserRole; projects?: string[] } {
  if (project === undefined || grant.projects === '*' || grant.projects.length <= 1) return { role: grant.role };
  return { role: grant.role, projects: [project] };
}

/** The projects the picker offers: the deployed ones not already picked. */
export function pickable(deployed: readonly string[], picked: readonly string[]): string[] {
  return deployed.filter((p) => !picked.includes(p));
}

// Complete by type: a role added to the protocol fails the build here until it is listed.
const USER_ROLE_SET: Record<UserRole, true> = { viewer: true, operator: true, maintainer: true, admin: true };
/** The roles a user may be granted, narrowest first. */
export const USER_ROLE_LIST = Object.keys(USER_ROLE_SET) as UserRole[];
