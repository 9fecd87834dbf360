// Types of pg-server.mjs for the TypeScript that imports it (tests, bench): the repository doesn't compile JS.
export interface PostgresServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  /** Creates a database (default name `t_<hex>`) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Drops a database (if it exists), disconnecting its sessions. */
  dropDatabase(name: string): Promise<void>;
  /** Fast shutdown, then removes the server's temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep fsync, synchronous_commit and full_page_writes on (the bench); off by default, for fast tests. */
  durable?: boolean;
  /** Receives every line the server logs. */
  log?: (line: string) => void;
}

export function startPostgres(opts?: StartOptions): Promise<PostgresServer>;
