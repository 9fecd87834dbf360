// Floor of the `idle` bench: the libraries every master holds, doing what an idle master does with them (fastify
// listening, a `ws` server on its upgrade path, better-sqlite3 opened through kysely in WAL mode, pino), and
// nothing else. Plain Node with the same V8 flag as the shipped shim.
//   node --max-semi-space-size=4 bench/idle-floor.mjs DIR   prints {"port":N} once listening
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The master's own copies of the libraries (the workspace root doesn't depend on them).
const require = createRequire(new URL('../packages/master/package.json', import.meta.url));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { default: Sqlite } = await load('better-sqlite3');
const { default: Fastify } = await load('fastify');
const { Kysely, SqliteDialect, sql } = await load('kysely');
const { pino } = await load('pino');
const { WebSocketServer } = (await load('ws')).default;

const sqlite = new Sqlite(join(process.argv[2] ?? '.', 'floor.sqlite'));
sqlite.pragma('journal_mode = WAL');
const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
await sql`create table if not exists t (id integer primary key, v text)`.execute(db);
await db.insertInto('t').values({ v: 'x' }).execute();
const app = Fastify({ loggerInstance: pino({ level: 'warn' }) });
app.get('/daemonstatus.json', async () => ({
  status: 'ok',
  rows: (await db.selectFrom('t').selectAll().execute()).length,
}));
const wss = new WebSocketServer({ noServer: true });
app.server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.send('{}')));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
