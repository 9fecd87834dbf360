/**
 * `user add` on the master host, without a running master: it opens the store the master's config names (SQLite
 * in the data dir, or PostgreSQL at database_url; `--data-dir`, `--database-url` override) as `migrate` does, so
 * the first admin exists before anyone can sign in. Loaded only by `user add` (the store's modules are heavy).
 * A master already running sees the new user at its next login and counts it within seconds.
 */
import { homedir } from 'node:os';
import { CatalogueError, CreateUserRequest, parseOr400, type UserResponse } from '@scrapyard/protocol';
import { pino } from 'pino';
import { PasswordHasher, passwordProblem } from '../../auth/passwords.js';
import { UserService } from '../../auth/users.js';
import { discoverConfigFiles } from '../../config-files.js';
import { loadMasterConfig } from '../../config-load.js';
import { secureDataDir } from '../../data-dir.js';
import { openDatabase } from '../../db/database.js';
import { createProjectsRepo } from '../../db/repos/projects.js';
import { createUsersRepo } from '../../db/repos/users.js';
import { DomainEvents } from '../../events/domain-events.js';
import { CliError } from '../errors.js';
import type { Ctx } from '../spec.js';

export async function addUserOffline(c: Ctx, body: unknown): Promise<UserResponse> {
  const file = c.str('config');
  const flags: Record<string, unknown> = {};
  if (c.has('data-dir')) flags.dataDir = c.str('data-dir');
  if (c.has('database-url')) flags.databaseUrl = c.str('database-url');
  const discovered = file === undefined ? discoverConfigFiles(c.env, { cwd: process.cwd(), home: homedir() }) : [];
  const config = loadMasterConfig({ file, discovered, env: c.env, flags });
  const logger = pino({ level: 'silent' });
  try {
    // Refused before the store is opened (or created): nothing is written for a bad request.
    const request = parseOr400(CreateUserRequest, body, 'user');
    const weak = passwordProblem(request.password, request.name);
    if (weak) throw new CliError('WEAK_PASSWORD', weak);
    secureDataDir(config, logger);
    const db = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      autoMigrate: config.autoMigrate,
    });
    try {
      const projects = createProjectsRepo(db);
      const users = new UserService({
        repo: createUsersRepo(db),
        hasher: new PasswordHasher(),
        events: new DomainEvents({ logger }),
        now: Date.now,
        projectExists: async (p) => (await projects.list()).includes(p),
        passwordMatches: async () => false,
      });
      return await users.create(request);
    } finally {
      await db.destroy();
    }
  } catch (e) {
    if (e instanceof CatalogueError && !(e instanceof CliError)) {
      // Store errors lead with their code already (DATABASE_UNAVAILABLE: …): say it once.
      throw new CliError(e.code, e.message.replace(`${e.code}: `, ''), e.details);
    }
    throw e;
  }
}
