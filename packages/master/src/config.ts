/**
 * The master's configuration: one zod schema, parsed once at start-up (config-load.ts reads the files, the
 * environment and the flags into it), and the names its keys have in files and variables.
 */
import { cpus, hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isSafePathComponent, LOG_FORMATS, PassthroughName, SettingsModule } from '@scrapyard/protocol';
import { SCRAPYD_KEYS } from './config-scrapyd-keys.js';
import { bool, int, list, normalizeOrigin } from './config-values.js';

export const MasterConfigSchema = z
  .object({
    /** Address the HTTP API listens on. Keep 127.0.0.1 unless a proxy or firewall protects the port. */
    bindAddress: z.string().min(1).default('127.0.0.1'),
    /** Port of the Scrapyd API, the dashboard and the agent gateway. */
    httpPort: int(0, 65535).default(6800),
    /** Where the master keeps its database, eggs, logs and items (and the embedded agent its state). */
    dataDir: z.string().min(1).default('./scrapyard-data'),
    /**
     * Where the master's state lives: empty is SQLite (`<data_dir>/master.sqlite`); `postgres://…` (or
     * `postgresql://…`) is a PostgreSQL database. Eggs, logs and items stay in the data dir either way.
     */
    databaseUrl: z
      .string()
      .trim()
      .refine(
        (v) => v === '' || (/^postgres(ql)?:\/\//i.test(v) && URL.canParse(v)),
        'expected empty (SQLite in the data dir) or a postgres://user:password@host:port/database URL',
      )
      .default(''),
    /** Connections to PostgreSQL the master keeps at most (ignored for SQLite). */
    databasePoolSize: int(1, 1_000).default(10),
    /** Apply pending schema migrations at start-up; off refuses to start on an outdated schema (`scrapyard-master migrate`). */
    autoMigrate: bool.default(true),
    /** Basic auth for every path; both or neither (one without the other is refused, never "auth off"). */
    username: z
      .string()
      .refine((v) => !v.includes(':'), 'must not contain ":"')
      .default(''),
    password: z.string().default(''),
    /** Slots of the embedded agent: max_proc, or CPUs × max_proc_per_cpu when max_proc is 0. */
    maxProc: int(0, 10_000).default(0),
    maxProcPerCpu: int(1, 1_000).default(4),
    /** Job logs tree served under /logs/; empty disables logs (Scrapy then logs to the agent's output file). */
    logsDir: z.string().optional(),
    /** Items tree served under /items/; on by default (unlike Scrapyd); empty disables; a URL sends feeds there. */
    itemsDir: z.string().optional(),
    /** Scrapy JOBDIR root on the agent (Scrapyd 1.6 `jobs_dir`); empty disables. */
    jobsDir: z.string().default(''),
    /** Log/item files kept per spider; 0 keeps all (Scrapyd D3). */
    jobsToKeep: int(0, 1_000_000).default(5),
    /** Finished jobs kept, newest first, across restarts; 0 keeps none (Scrapyd 1.6 docs, D2). */
    finishedToKeep: int(0, 10_000_000).default(100),
    /** `node_name` in every Scrapyd response. */
    nodeName: z.string().min(1).default(hostname()),
    /** Header whose value prefixes links in the HTML pages (behind a reverse proxy). */
    prefixHeader: z.string().min(1).default('x-forwarded-prefix'),
    /** Adds error detail (stack) to Scrapyd error messages. */
    debug: bool.default(false),
    /** Largest request body of addversion.json (egg uploads). */
    uploadLimitBytes: int(1024, 16 * 1024 ** 3).default(200 * 1024 * 1024),
    /** Largest request body anywhere else (other Scrapyd endpoints, REST API JSON). */
    bodyLimitBytes: int(1024, 1024 ** 3).default(1024 * 1024),
    /** Serve without credentials on a non-loopback bind_address (behind a proxy or firewall that guards it). */
    allowUnauthenticated: bool.default(false),
    /**
     * Origins the Scrapyd API grants cross-origin reads (Access-Control-Allow-Origin); `*` (Scrapyd's behaviour)
     * grants every origin, an empty list none.
     */
    corsOrigins: list.pipe(z.array(z.string().transform((v, ctx) => normalizeOrigin(v, ctx)))).default(['*']),
    /** Live-tail (SSE) connections open at once; more are answered 503. */
    maxLiveTails: int(1, 100_000).default(256),
    /** Live event streams (GET /api/v1/events) open at once; more are answered 429. */
    maxEventStreams: int(1, 100_000).default(512),
    /** Largest number of `setting=` values and of spider arguments accepted by schedule.json. */
    maxScheduleParams: int(1, 100_000).default(1_000),
    /** Run an embedded agent (standalone mode). */
    localAgent: bool.default(true),
    /** Python interpreter for the embedded agent's venvs; empty = find one that can import scrapy. */
    python: z.string().default(''),
    /** Create venvs with --system-site-packages so a system-wide Scrapy is visible. */
    systemSitePackages: bool.default(true),
    /** pip options for installing eggs' requirements (an internal index or an offline wheelhouse). */
    pipIndexUrl: z.string().default(''),
    pipFindLinks: list.default([]),
    pipNoIndex: bool.default(false),
    /** Let eggs' requirements be direct references (`pkg @ https://…`, `git+…`, paths): off keeps pip on the index. */
    pipAllowDirectUrls: bool.default(false),
    /** OS user (and group) the embedded agent runs crawls, pip and `scrapy list` as; needs the master to run as root. */
    crawlUser: z.string().max(64).default(''),
    crawlGroup: z.string().max(64).default(''),
    /** Variables of the master's environment the embedded agent's crawls see besides the allowlist (names or `PREFIX_*`). */
    crawlEnvPassthrough: list.pipe(z.array(PassthroughName)).default([]),
    /** Scrapyd's [settings] section: egg-less projects (name → settings module importable on the agents). */
    settingsProjects: z
      .record(z.string().refine(isSafePathComponent, 'project names must be plain names'), SettingsModule)
      .default({}),
    /** Scrapyd's [services] section: endpoints switched off (empty value), e.g. `delproject.json =`. */
    disabledServices: z.array(z.string()).default([]),
    /** PEM certificate and key: serve HTTPS and WSS (both or neither). */
    tlsCert: z.string().default(''),
    tlsKey: z.string().default(''),
    /** Accept agents that did not register, authenticated by a shared secret. Off by default. */
    temporaryNodes: bool.default(false),
    temporaryNodeSecret: z.string().default(''),
    /** Seconds of silence after which a node counts as offline. */
    heartbeatTimeout: int(2, 3_600).default(15),
    /** Seconds a node may stay offline before its running jobs become lost (and are requeued per policy). */
    lostGrace: int(1, 30 * 86_400).default(600),
    /** Default number of times a lost job is requeued; project and spider policies override it. */
    lostJobRetries: int(0, 100).default(0),
    /** Host and job metrics older than this are deleted. */
    metricsRetentionHours: int(1, 24 * 366).default(24),
    /** Largest log or items file of one job; a job that outgrows it is stopped and fails for that reason. */
    maxJobOutputBytes: int(1024 * 1024, 1024 ** 5).default(2 * 1024 ** 3),
    /** Schedules the master keeps; creating more is refused (LIMIT_REACHED). */
    maxSchedules: int(1, 1_000_000).default(10_000),
    /** Fires kept in each schedule's history (the ledger), newest first. */
    scheduleFiresToKeep: int(10, 1_000_000).default(1_000),
    /** Shortest time between two fires of a schedule (its interval, or the closest fires of its cron expression). */
    minScheduleIntervalSeconds: int(1, 86_400).default(1),
    /** Pending jobs one schedule may have; a fire beyond is recorded as skipped (`pending_cap`). */
    maxPendingPerSchedule: int(1, 100_000).default(100),
    /**
     * The master's address as users reach it (`https://scrapyard.example.com`), for links in alerts and webhooks;
     * empty: built from bind_address and http_port.
     */
    publicUrl: z
      .string()
      .trim()
      .refine((v) => v === '' || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'expected an http(s) URL')
      .transform((v) => v.replace(/\/+$/, ''))
      .default(''),
    /**
     * Key that seals stored secrets (webhook signing keys, channel passwords and tokens): 32 bytes, base64. Empty:
     * a key generated into `<data_dir>/secrets.key` (0600). Several masters on one database need the same key.
     */
    secretsKey: z.string().trim().default(''),
    /**
     * Where webhooks, Slack, Telegram and SMTP may connect: host names, IPs or CIDRs (`*.example.com`,
     * `10.0.0.0/8`); `*` allows any public address (the default): loopback, private, link-local, CGNAT,
     * unique-local and cloud metadata addresses only when listed explicitly (`*,10.0.0.0/8`).
     */
    outboundAllowedHosts: list.default(['*']),
    /** Seconds an outgoing request (webhook, Slack, Telegram, SMTP) may take. */
    outboundTimeoutSeconds: int(1, 300).default(10),
    /** Attempts of one delivery before it is dead; retries back off exponentially (1 s, 2 s, … up to 1 h). */
    deliveryMaxAttempts: int(1, 100).default(12),
    /** Delivered and dead deliveries kept per webhook or channel (the delivery log), newest first. */
    deliveriesToKeep: int(10, 1_000_000).default(1_000),
    /** Seconds between alert checks: node conditions, pending alerts due to fire, repeats, mutes that ended. */
    alertCheckSeconds: int(1, 3_600).default(5),
    /** After a master start, offline nodes count only after this many seconds (agents reconnecting). */
    alertStartupGraceSeconds: int(0, 86_400).default(60),
    /** Open (pending or firing) alerts per rule; beyond, new subjects are not opened (logged as `alert.suppressed`). */
    maxOpenAlertsPerRule: int(1, 100_000).default(100),
    /** Audit entries older than this many days are deleted. */
    auditRetentionDays: int(1, 36_500).default(365),
    /** Audit entries kept at most; the oldest beyond are deleted. */
    auditMaxEntries: int(1_000, 1_000_000_000).default(1_000_000),
    /**
     * Bearer token a Prometheus server may scrape /metrics with, besides the REST API's read credentials; empty:
     * none. Printable ASCII without spaces, at least 16 characters (a short one could be guessed).
     */
    metricsToken: z
      .string()
      .trim()
      .refine(
        (v) => v === '' || /^[\x21-\x7e]{16,4096}$/.test(v),
        'expected at least 16 printable characters, no spaces',
      )
      .default(''),
    /** Failed password logins per user name within login_window_seconds; more lock the name for the window. */
    loginMaxFailures: int(1, 1_000_000).default(10),
    /** Failed password logins per client address (IPv6: per /64) within the window; more lock the address. */
    loginMaxFailuresPerAddress: int(1, 1_000_000).default(50),
    /** The window failed logins are counted in, and how long a locked name or address is refused. */
    loginWindowSeconds: int(1, 86_400).default(300),
    /**
     * TCP connections the HTTP(S) port keeps open at once (clients, agents' WebSockets, live tails); more are
     * closed as they arrive. Above the number of agents plus the clients you expect.
     */
    maxConnections: int(1, 1_000_000).default(16_384),
    /** Connections open at once from one remote address; more are closed as they arrive. 0: no per-address cap. */
    maxConnectionsPerIp: int(0, 1_000_000).default(1_024),
    /** A browser session unused this long ends (auth/browser-sessions.ts). */
    sessionIdleSeconds: int(1, 30 * 86_400).default(3_600),
    /** A browser session ends this long after its login, however much it is used. */
    sessionLifetimeSeconds: int(1, 366 * 86_400).default(43_200),
    /** Agent WebSocket connections upgraded but not yet authenticated; more are answered 503. */
    maxPendingHandshakes: int(1, 100_000).default(64),
    /** pino level. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Log lines: pretty when stdout is a terminal, else JSON (`auto`); or always one of them. */
    logFormat: z.enum(LOG_FORMATS).default('auto'),
  })
  .superRefine((c, ctx) => {
    if ((c.username === '') !== (c.password === '')) {
      ctx.addIssue({
        code: 'custom',
        path: [c.username === '' ? 'username' : 'password'],
        message: `${c.username === '' ? 'password is set without username' : 'username is set without password'}: set both to turn basic auth on, or neither`,
      });
    }
    if ((c.tlsCert === '') !== (c.tlsKey === '')) {
      ctx.addIssue({ code: 'custom', path: ['tlsCert'], message: 'tls_cert and tls_key go together' });
    }
    if (c.temporaryNodes && c.temporaryNodeSecret.length < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['temporaryNodeSecret'],
        message: 'temporary_nodes needs temporary_node_secret of at least 32 characters',
      });
    }
    if (c.localAgent && c.pipNoIndex && c.pipFindLinks.length === 0 && c.pipIndexUrl === '') {
      ctx.addIssue({ code: 'custom', path: ['pipNoIndex'], message: 'pip_no_index needs pip_find_links' });
    }
  })
  .transform((c) => {
    const dataDir = resolve(c.dataDir);
    const under = (v: string | undefined, fallback: string) =>
      v === undefined ? resolve(dataDir, fallback) : v === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : resolve(v);
    const slots = c.maxProc > 0 ? c.maxProc : Math.max(1, cpus().length) * c.maxProcPerCpu;
    return { ...c, dataDir, logsDir: under(c.logsDir, 'logs'), itemsDir: under(c.itemsDir, 'items'), slots };
  });
export type MasterConfig = z.output<typeof MasterConfigSchema>;
export type MasterConfigInput = z.input<typeof MasterConfigSchema>;

export const OUR_KEYS: Record<string, keyof MasterConfigInput> = {
  ...SCRAPYD_KEYS,
  data_dir: 'dataDir',
  database_url: 'databaseUrl',
  database_pool_size: 'databasePoolSize',
  auto_migrate: 'autoMigrate',
  upload_limit_bytes: 'uploadLimitBytes',
  body_limit_bytes: 'bodyLimitBytes',
  allow_unauthenticated: 'allowUnauthenticated',
  cors_origins: 'corsOrigins',
  max_live_tails: 'maxLiveTails',
  max_event_streams: 'maxEventStreams',
  max_schedule_params: 'maxScheduleParams',
  local_agent: 'localAgent',
  python: 'python',
  system_site_packages: 'systemSitePackages',
  pip_index_url: 'pipIndexUrl',
  pip_find_links: 'pipFindLinks',
  pip_no_index: 'pipNoIndex',
  pip_allow_direct_urls: 'pipAllowDirectUrls',
  crawl_user: 'crawlUser',
  crawl_group: 'crawlGroup',
  crawl_env_passthrough: 'crawlEnvPassthrough',
  log_level: 'logLevel',
  log_format: 'logFormat',
  tls_cert: 'tlsCert',
  tls_key: 'tlsKey',
  temporary_nodes: 'temporaryNodes',
  temporary_node_secret: 'temporaryNodeSecret',
  heartbeat_timeout: 'heartbeatTimeout',
  lost_grace: 'lostGrace',
  lost_job_retries: 'lostJobRetries',
  metrics_retention_hours: 'metricsRetentionHours',
  max_job_output_bytes: 'maxJobOutputBytes',
  max_pending_handshakes: 'maxPendingHandshakes',
  max_connections: 'maxConnections',
  max_connections_per_ip: 'maxConnectionsPerIp',
  max_schedules: 'maxSchedules',
  schedule_fires_to_keep: 'scheduleFiresToKeep',
  min_schedule_interval_seconds: 'minScheduleIntervalSeconds',
  max_pending_per_schedule: 'maxPendingPerSchedule',
  public_url: 'publicUrl',
  secrets_key: 'secretsKey',
  outbound_allowed_hosts: 'outboundAllowedHosts',
  outbound_timeout_seconds: 'outboundTimeoutSeconds',
  delivery_max_attempts: 'deliveryMaxAttempts',
  deliveries_to_keep: 'deliveriesToKeep',
  alert_check_seconds: 'alertCheckSeconds',
  alert_startup_grace_seconds: 'alertStartupGraceSeconds',
  max_open_alerts_per_rule: 'maxOpenAlertsPerRule',
  audit_retention_days: 'auditRetentionDays',
  audit_max_entries: 'auditMaxEntries',
  metrics_token: 'metricsToken',
  login_max_failures: 'loginMaxFailures',
  login_max_failures_per_address: 'loginMaxFailuresPerAddress',
  login_window_seconds: 'loginWindowSeconds',
  session_idle_seconds: 'sessionIdleSeconds',
  session_lifetime_seconds: 'sessionLifetimeSeconds',
};
