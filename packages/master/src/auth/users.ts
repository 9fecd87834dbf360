/**
 * Users as the REST API and the CLI manage them: add, list, show, set a password (an admin, or the user proving
 * the old one), grant and revoke roles, disable, enable, delete. Refused with a code and nothing stored: a weak
 * password (WEAK_PASSWORD, saying the rule), a taken name (USER_EXISTS), and any change that would leave no
 * enabled admin (LAST_ADMIN). A grant on a project not deployed yet is allowed and the answer warns about it.
 * Every change publishes `access.changed` after its commit, without a secret; the login side (user-logins.ts)
 * drops the user's verified credentials on it, so the change holds from the next request on.
 */
import { randomBytes } from 'node:crypto';
import {
  CatalogueError,
  GRANT_PROJECTS_MAX,
  GRANTS_MAX,
  type CreateUserRequest,
  type GrantRequest,
  type RevokeRequest,
  type User,
  type UserGrant,
  type UserResponse,
} from '@scrapyard/protocol';
import type { UserChange, UserRow, UsersRepo } from '../db/repos/users.js';
import type { DomainEvents, DomainEvent } from '../events/domain-events.js';
import type { CredentialContext } from './authenticator.js';
import { passwordProblem, type PasswordHasher } from './passwords.js';
import { grantsAllow } from './roles.js';
import { grantsOfRow } from './user-logins.js';

type Change = Extract<DomainEvent, { type: 'access.changed' }>['change'];

export interface UserServiceDeps {
  repo: UsersRepo;
  hasher: PasswordHasher;
  events: DomainEvents;
  now: () => number;
  /** Whether a project is deployed (a grant naming one that is not gets a warning). */
  projectExists: (project: string) => Promise<boolean>;
  /** Checks a user's current password (limited like a login). */
  passwordMatches: (name: string, password: string, ctx: CredentialContext) => Promise<boolean>;
}

export function userView(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    grants: grantsOfRow(r) as UserGrant[],
    disabled: r.disabled !== 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    passwordChangedAt: r.password_changed_at,
  };
}

const isAdmin = (r: Pick<UserRow, 'disabled' | 'grants'>) =>
  r.disabled === 0 && grantsAllow(grantsOfRow(r as UserRow), 'admin');

/** Refuses a change that takes the last enabled admin away (disabled, demoted or deleted). */
function keepAnAdmin(row: UserRow, all: readonly UserRow[], change: UserChange): UserChange {
  const after = change === 'delete' ? null : { ...row, ...change };
  if (!isAdmin(row) || (after && isAdmin(after))) return change;
  if (all.some((u) => u.id !== row.id && isAdmin(u))) return change;
  const what = change === 'delete' ? 'deleted' : after?.disabled ? 'disabled' : 'demoted';
  throw new CatalogueError(
    'LAST_ADMIN',
    `${row.name} is the last enabled admin and can't be ${what}: make another user admin first`,
    { user: row.name },
  );
}

export class UserService {
  constructor(private readonly d: UserServiceDeps) {}

  async list(): Promise<{ users: User[] }> {
    return { users: (await this.d.repo.all()).map(userView) };
  }

  async get(ref: string): Promise<User> {
    return userView(await this.#row(ref));
  }

  async create(b: CreateUserRequest): Promise<UserResponse> {
    this.#checkPassword(b.password, b.name);
    const grants = normalized(b.grants);
    const now = this.d.now();
    const row: UserRow = {
      id: `usr_${randomBytes(8).toString('hex')}`,
      name: b.name,
      password_hash: await this.d.hasher.hash(b.password),
      grants: JSON.stringify(grants),
      disabled: 0,
      created_at: now,
      updated_at: now,
      password_changed_at: now,
    };
    if (!(await this.d.repo.insert(row))) {
      throw new CatalogueError('USER_EXISTS', `a user named ${b.name} exists already`, { user: b.name });
    }
    this.#publish(row, 'created', { name: row.name, grants });
    return { user: userView(row), warnings: await this.#warnings(grants) };
  }

  /** An admin sets the password. */
  async setPassword(ref: string, password: string): Promise<UserResponse> {
    const row = await this.#row(ref);
    this.#checkPassword(password, row.name);
    const hash = await this.d.hasher.hash(password);
    const after = await this.#change(row.id, 'password-changed', {}, (r) => ({
      password_hash: hash,
      password_changed_at: this.#stamp(r),
      updated_at: this.#stamp(r),
    }));
    return { user: userView(after!), warnings: [] };
  }

  /** A user changes their own password, proving the current one. */
  async changeOwnPassword(
    userId: string,
    oldPassword: string,
    password: string,
    ctx: CredentialContext,
  ): Promise<UserResponse> {
    const row = await this.#row(userId);
    if (!(await this.d.passwordMatches(row.name, oldPassword, ctx))) {
      throw new CatalogueError('FORBIDDEN', 'body.oldPassword: not the current password', { field: 'oldPassword' });
    }
    return this.setPassword(row.id, password);
  }

  async grant(ref: string, g: GrantRequest): Promise<UserResponse> {
    const row = await this.#row(ref);
    const after = await this.#change(row.id, 'granted', { role: g.role, projects: g.projects }, (r) => ({
      grants: JSON.stringify(withGrant(grantsOfRow(r) as UserGrant[], g)),
      updated_at: this.#stamp(r),
    }));
    return { user: userView(after!), warnings: await this.#warnings([g]) };
  }

  async revoke(ref: string, g: RevokeRequest): Promise<UserResponse> {
    const row = await this.#row(ref);
    const projects = g.projects ?? '*';
    const after = await this.#change(row.id, 'revoked', { role: g.role, projects }, (r) => ({
      grants: JSON.stringify(withoutGrant(grantsOfRow(r) as UserGrant[], g.role, projects)),
      updated_at: this.#stamp(r),
    }));
    return { user: userView(after!), warnings: [] };
  }

  async setDisabled(ref: string, disabled: boolean): Promise<UserResponse> {
    const row = await this.#row(ref);
    const after = await this.#change(row.id, disabled ? 'disabled' : 'enabled', {}, (r) => ({
      disabled: disabled ? 1 : 0,
      updated_at: this.#stamp(r),
    }));
    return { user: userView(after!), warnings: [] };
  }

  async delete(ref: string): Promise<void> {
    const row = await this.#row(ref);
    await this.#change(row.id, 'deleted', {}, () => 'delete');
  }

  async #row(ref: string): Promise<UserRow> {
    const row = (await this.d.repo.get(ref)) ?? (await this.d.repo.byName(ref));
    if (!row) throw new CatalogueError('NOT_FOUND', `no user ${ref}`, { user: ref });
    return row;
  }

  #checkPassword(password: string, name: string): void {
    const why = passwordProblem(password, name);
    if (why) throw new CatalogueError('WEAK_PASSWORD', `body.password: ${why}`, { field: 'password' });
  }

  /** `updated_at` strictly grows: a credential verified before this change never matches the row after it. */
  #stamp(r: UserRow): number {
    return Math.max(this.d.now(), r.updated_at + 1);
  }

  async #change(
    id: string,
    change: Change,
    summary: Record<string, unknown>,
    decide: (r: UserRow) => UserChange,
  ): Promise<UserRow | undefined> {
    const done = await this.d.repo.change(id, (r, all) => keepAnAdmin(r, all, decide(r)));
    if (!done) throw new CatalogueError('NOT_FOUND', `no user ${id}`, { user: id });
    this.#publish(done.after ?? done.before, change, { name: done.before.name, ...summary });
    return done.after;
  }

  #publish(row: UserRow, change: Change, summary: Record<string, unknown>): void {
    this.d.events.publish({
      type: 'access.changed',
      entity: 'user',
      id: row.id,
      name: row.name,
      change,
      userId: row.id,
      summary,
    });
  }

  async #warnings(grants: readonly UserGrant[]): Promise<string[]> {
    const named = new Set(grants.flatMap((g) => (g.projects === '*' ? [] : g.projects)));
    const missing: string[] = [];
    for (const p of named) if (!(await this.d.projectExists(p))) missing.push(p);
    return missing.map((p) => `project ${p} does not exist yet: the grant applies once it is deployed`);
  }
}

/** One grant per role, projects merged (`*` absorbs the rest). */
function normalized(grants: readonly UserGrant[]): UserGrant[] {
  return grants.reduce<UserGrant[]>((acc, g) => withGrant(acc, g), []);
}

function withGrant(grants: readonly UserGrant[], g: UserGrant): UserGrant[] {
  const same = grants.find((x) => x.role === g.role);
  if (!same) {
    if (grants.length >= GRANTS_MAX) {
      throw new CatalogueError('BAD_REQUEST', `at most ${GRANTS_MAX} grants per user`, { max: GRANTS_MAX });
    }
    return [...grants, { role: g.role, projects: g.projects === '*' ? '*' : [...new Set(g.projects)].sort() }];
  }
  const projects =
    same.projects === '*' || g.projects === '*' ? '*' : [...new Set([...same.projects, ...g.projects])].sort();
  if (projects !== '*' && projects.length > GRANT_PROJECTS_MAX) {
    throw new CatalogueError('BAD_REQUEST', `at most ${GRANT_PROJECTS_MAX} projects per grant: grant * instead`, {
      max: GRANT_PROJECTS_MAX,
    });
  }
  return grants.map((x) => (x === same ? { role: g.role, projects } : x));
}

function withoutGrant(
  grants: readonly UserGrant[],
  role: UserGrant['role'],
  projects: UserGrant['projects'],
): UserGrant[] {
  return grants.flatMap((x) => {
    if (x.role !== role) return [x];
    if (projects === '*') return [];
    if (x.projects === '*') {
      throw new CatalogueError(
        'BAD_REQUEST',
        `the ${role} grant covers every project: revoke the role, then grant the projects to keep`,
        { role },
      );
    }
    const left = x.projects.filter((p) => !projects.includes(p));
    return left.length === 0 ? [] : [{ role, projects: left }];
  });
}
