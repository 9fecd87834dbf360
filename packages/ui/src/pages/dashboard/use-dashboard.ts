/**
 * The dashboard's state, loaded once and then kept live from the tab's stream: counters adjusted by each event and
 * settled by a debounced re-fetch of the overview; running jobs, recent failures and node states updated in place;
 * firing alerts re-read when one changes. No timer polls. A `reset` (events were missed) reloads everything.
 */
import type { Alert, NodeInfo, Overview } from '@scrapyard/protocol';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useDebounced } from '../../components/use-debounced.js';
import { browserZone } from '../../format/time.js';
import { useLive } from '../../live/use-live.js';
import { applyNodeEvent } from '../nodes/node-events.js';
import { listNodes } from '../../api/nodes.js';
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
  const [nodes, setNodes] = useState<readonly NodeInfo[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  // Answers can cross: only the newest asked overview (or node list) is kept.
  const asked = useRef({ overview: 0, nodes: 0 });

  const fetchOverview = useCallback(() => {
    const n = ++asked.current.overview;
    getOverview(browserZone()).then((o) => n === asked.current.overview && setOverview(o), setError);
  }, []);
  const fetchNodes = useCallback(() => {
    if (!withNodes) return;
    const n = ++asked.current.nodes;
    listNodes().then((l) => n === asked.current.nodes && setNodes(l.nodes), setError);
  }, [withNodes]);
  const fetchAlerts = useCallback(() => {
    listFiringAlerts().then((p) => setAlerts(p.alerts), setError);
  }, []);
  const loadAll = useCallback(() => {
    setError(undefined);
    fetchOverview();
    fetchNodes();
    fetchAlerts();
    listRunningJobs().then((p) => setRunning(p.jobs.map(runningFromJob)), setError);
    listFinishedJobs().then((p) => setFailures(failuresFromJobs(p.jobs)), setError);
  }, [fetchOverview, fetchNodes, fetchAlerts]);
  useEffect(loadAll, [loadAll]);

  const refetchOverview = useDebounced(fetchOverview, DEBOUNCE_MS);
  const refetchNodes = useDebounced(fetchNodes, DEBOUNCE_MS);
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
      if (e.type.startsWith('node.')) {
        setNodes((list) => {
          if (list === undefined) return list;
          const step = applyNodeEvent(list, e);
          if (step.refetch) refetchNodes();
          return step.nodes;
        });
      }
      // A node's running count moves with its jobs.
      if (e.type === 'job.started' || e.type === 'job.finished' || e.type === 'job.cancelled') refetchNodes();
    },
    reset: loadAll,
  });

  return { overview, running, failures, alerts, nodes, error };
}
