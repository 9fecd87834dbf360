/** Projects and their versions (eggs). Version ordering is applied by the caller (Scrapyd's PEP 440 rule). */
import type { Db } from '../database.js';
import { forUpdate } from '../dialect.js';
import type { VersionsTable } from '../schema.js';

export interface VersionRow {
  project: string;
  name: string;
  digest: string;
  size: number;
  requirements: string[];
  spiders: string[] | null;
  uploadedAt: number;
}

function toRow(r: VersionsTable): VersionRow {
  return {
    project: r.project,
    name: r.name,
    digest: r.digest,
    size: Number(r.size),
    requirements: JSON.parse(r.requirements) as string[],
    spiders: r.spiders === null ? null : (JSON.parse(r.spiders) as string[]),
    uploadedAt: Number(r.uploaded_at),
  };
}

/**
 * Changes to one project's versions take turns: deleting its last version removes the project, which must not
 * interleave with an upload that is adding one (its new version would go with the project).
 */
async function lockProject(tx: Db, project: string): Promise<void> {
  await forUpdate(tx, tx.selectFrom('projects').select('name').where('name', '=', project)).execute();
}

export function createProjectsRepo(db: Db) {
  return {
    async list(): Promise<string[]> {
      const rows = await db.selectFrom('projects').select('name').execute();
      // Sorted here, by code point: PostgreSQL's ORDER BY follows the database's collation, SQLite's does not.
      return rows.map((r) => r.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },

    async exists(name: string): Promise<boolean> {
      return (await db.selectFrom('projects').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
    },

    async versions(project: string): Promise<VersionRow[]> {
      const rows = await db.selectFrom('versions').selectAll().where('project', '=', project).execute();
      return rows.map(toRow);
    },

    async version(project: string, name: string): Promise<VersionRow | null> {
      const row = await db
        .selectFrom('versions')
        .selectAll()
        .where('project', '=', project)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toRow(row) : null;
    },

    /** Stores (or overwrites) a version, creating the project; returns the version it replaced, if any. */
    async putVersion(v: Omit<VersionRow, 'uploadedAt'>, now: number): Promise<VersionRow | null> {
      return db.transaction().execute(async (tx) => {
        await tx
          .insertInto('projects')
          .values({ name: v.project, created_at: now })
          // An update of nothing rather than DO NOTHING: it leaves the row locked (PostgreSQL), and if a
          // deletion of the project was committing meanwhile, the row is inserted again instead of skipped.
          .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
          .execute();
        const old = await tx
          .selectFrom('versions')
          .selectAll()
          .where('project', '=', v.project)
          .where('name', '=', v.name)
          .executeTakeFirst();
        const values = {
          digest: v.digest,
          size: v.size,
          requirements: JSON.stringify(v.requirements),
          spiders: v.spiders === null ? null : JSON.stringify(v.spiders),
          uploaded_at: now,
        };
        await tx
          .insertInto('versions')
          .values({ project: v.project, name: v.name, ...values })
          .onConflict((oc) => oc.columns(['project', 'name']).doUpdateSet(values))
          .execute();
        return old ? toRow(old) : null;
      });
    },

    /** Puts back what putVersion replaced (or removes a new version), used when `scrapy list` rejects an upload. */
    async restoreVersion(project: string, name: string, previous: VersionRow | null, hadProject: boolean) {
      await db.transaction().execute(async (tx) => {
        if (previous) {
          await tx
            .updateTable('versions')
            .set({
              digest: previous.digest,
              size: previous.size,
              requirements: JSON.stringify(previous.requirements),
              spiders: previous.spiders === null ? null : JSON.stringify(previous.spiders),
              uploaded_at: previous.uploadedAt,
            })
            .where('project', '=', project)
            .where('name', '=', name)
            .execute();
        } else {
          await tx.deleteFrom('versions').where('project', '=', project).where('name', '=', name).execute();
        }
        if (!hadProject) await tx.deleteFrom('projects').where('name', '=', project).execute();
      });
    },

    async setSpiders(project: string, name: string, digest: string, spiders: string[]): Promise<void> {
      // Guarded by digest: a re-upload that raced this `scrapy list` must not get the old list.
      await db
        .updateTable('versions')
        .set({ spiders: JSON.stringify(spiders) })
        .where('project', '=', project)
        .where('name', '=', name)
        .where('digest', '=', digest)
        .execute();
    },

    /** Deletes one version; the project goes with its last version. Returns false if there was no such version. */
    async deleteVersion(project: string, name: string): Promise<{ deleted: boolean; projectGone: boolean }> {
      return db.transaction().execute(async (tx) => {
        await lockProject(tx, project);
        const res = await tx
          .deleteFrom('versions')
          .where('project', '=', project)
          .where('name', '=', name)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) return { deleted: false, projectGone: false };
        const left = await tx.selectFrom('versions').select('name').where('project', '=', project).executeTakeFirst();
        if (left) return { deleted: true, projectGone: false };
        await tx.deleteFrom('projects').where('name', '=', project).execute();
        return { deleted: true, projectGone: true };
      });
    },

    async deleteProject(project: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        await lockProject(tx, project);
        await tx.deleteFrom('versions').where('project', '=', project).execute();
        const res = await tx.deleteFrom('projects').where('name', '=', project).executeTakeFirst();
        return Number(res.numDeletedRows) > 0;
      });
    },

    /** Every egg digest some version uses (what agents may keep cached). */
    async allDigests(): Promise<string[]> {
      const rows = await db.selectFrom('versions').select('digest').distinct().execute();
      return rows.map((r) => r.digest);
    },

    async digestInUse(digest: string): Promise<boolean> {
      return (
        (await db.selectFrom('versions').select('digest').where('digest', '=', digest).executeTakeFirst()) !== undefined
      );
    },
  };
}
export type ProjectsRepo = ReturnType<typeof createProjectsRepo>;
