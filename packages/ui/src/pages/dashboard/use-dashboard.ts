/**
 * The dashboard's state, loaded once and then kept live from the tab's stream: counters adjusted by each event and
 * settled by a debounced re-fetch of the overview; running jobs, recent failures and nodes (use-live-nodes.ts)
 * updated in place; firing alerts re-read when one changes. No timer polls. A `reset` reloads everything.
 */
import type { Alert, NodeInfo, Overview } from '@scrapyard/protocol';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useDebounced } from '../../components/use-debounced.js';
import { browserZone } from '../../format/time.js';
import { useLive } from '../../live/use-live.js';
import { useLiveNodes } from '../nodes/use-live-nodes.js';
import { getOverview, listFinishedJobs, listFiringAlerts, listRunningJobs } from '../../api/overview.js';
import { applyOverviewEvent } from './overview-live.js';
import { applyFailureEvent, failuresFromJobs, type Failure } from './recent-failures.js';
import { applyRunningEvent, runningFromJob, type RunningJob } from './running-jobs.js';

export interface Dashboard {
  overview: Overview | undefined;
  running: readonly RunningJob[] | undefined;
  failures: readonly Failure[] | undefined;
  alerts: readonly Alert[] | undefined;
  nodes: readonly NodeInfo[] | undefined;
  error: unknown;
}

const DEBOUNCE_MS = 300;

/** `withNodes`: the caller administers nodes (the node health table). */
export function useDashboard(withNodes: boolean): Dashboard {
  const [overview, setOverview] = useState<Overview | undefined>(undefined);
  const [running, setRunning] = useState<readonly RunningJob[] | undefined>(undefined);
  const [failures, setFailures] = useState<readonly Failure[] | undefined>(undefined);
  const [alerts, setAlerts] = useState<readonly Alert[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  // Answers can cross: only the newest asked overview is kept.
  const asked = useRef(0);

  const fetchOverview = useCallback(() => {
    const n = ++asked.current;
    getOverview(browserZone()).then((o) => n === asked.current && setOverview(o), setError);
  }, []);
  const fetchAlerts = useCallback(() => {
    listFiringAlerts().then((p) => setAlerts(p.alerts), setError);
  }, []);
  const loadAll = useCallback(() => {
    setError(undefined);
    fetchOverview();
    fetchAlerts();
    listRunningJobs().then((p) => setRunning(p.jobs.map(runningFromJob)), setError);
    listFinishedJobs().then((p) => setFailures(failuresFromJobs(p.jobs)), setError);
  }, [fetchOverview, fetchAlerts]);
  useEffect(loadAll, [loadAll]);

  const refetchOverview = useDebounced(fetchOverview, DEBOUNCE_MS);
  const refetchAlerts = useDebounced(fetchAlerts, DEBOUNCE_MS);

  useLive({
    event: (_type, e) => {
      setOverview((o) => {
        if (o === undefined) return o;
        const step = applyOverviewEvent(o, e);
        if (step.refetch) refetchOverview();
        return step.overview;
      });
      setRunning((rows) => rows && applyRunningEvent(rows, e));
      setFailures((rows) => rows && applyFailureEvent(rows, e));
      if (e.type === 'alert.changed') refetchAlerts();
    },
    reset: loadAll,
  });

  const nodes = useLiveNodes(withNodes);
  return { overview, running, failures, alerts, nodes: nodes.nodes, error: error ?? nodes.error };
}
