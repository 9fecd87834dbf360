/** What Scrapyd's scrapyd.conf may hold: its keys in [scrapyd] (ours, or accepted and ignored) and its [services]. */
import type { MasterConfigInput } from './config.js';

/** scrapyd.conf keys → our keys. Keys we don't use (eggs_dir, dbs_dir, poll_interval…) are accepted and ignored. */
export const SCRAPYD_KEYS: Record<string, keyof MasterConfigInput> = {
  bind_address: 'bindAddress',
  http_port: 'httpPort',
  username: 'username',
  password: 'password',
  max_proc: 'maxProc',
  max_proc_per_cpu: 'maxProcPerCpu',
  logs_dir: 'logsDir',
  items_dir: 'itemsDir',
  jobs_dir: 'jobsDir',
  jobs_to_keep: 'jobsToKeep',
  finished_to_keep: 'finishedToKeep',
  node_name: 'nodeName',
  prefix_header: 'prefixHeader',
  debug: 'debug',
};
export const IGNORED_SCRAPYD_KEYS = new Set([
  'eggs_dir',
  'dbs_dir',
  'poll_interval',
  'runner',
  'application',
  'launcher',
  'webroot',
  'eggstorage',
  'jobstorage',
  'spiderqueue',
  'unix_socket_path',
]);

/** Scrapyd's endpoints and their default classes (accepted as-is in [services]). */
export const SERVICE_CLASSES: Record<string, string> = {
  'daemonstatus.json': 'DaemonStatus',
  'addversion.json': 'AddVersion',
  'schedule.json': 'Schedule',
  'cancel.json': 'Cancel',
  'status.json': 'Status',
  'listprojects.json': 'ListProjects',
  'listversions.json': 'ListVersions',
  'listspiders.json': 'ListSpiders',
  'listjobs.json': 'ListJobs',
  'delproject.json': 'DeleteProject',
  'delversion.json': 'DeleteVersion',
};
export const SCRAPYD_SERVICES = Object.keys(SERVICE_CLASSES);
