/**
 * The node list, kept live: node events change a node in place (an unknown one re-reads the list), job starts and
 * ends re-read it (running counts and load move with them), debounced; `reset` reloads. `enabled` false: nothing
 * is read (a user who does not administer nodes).
 */
import type { NodeInfo } from '@scrapyard/protocol';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { listNodes } from '../../api/nodes.js';
import { useDebounced } from '../../components/use-debounced.js';
import { useLive } from '../../live/use-live.js';
import { applyNodeEvent } from './node-events.js';

export interface LiveNodes {
  nodes: readonly NodeInfo[] | undefined;
  error: unknown;
}

export function useLiveNodes(enabled = true): LiveNodes {
  const [nodes, setNodes] = useState<readonly NodeInfo[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  // Answers can cross: only the newest asked list is kept.
  const asked = useRef(0);
  const load = useCallback(() => {
    if (!enabled) return;
    const n = ++asked.current;
    listNodes().then((l) => {
      if (n !== asked.current) return;
      setNodes(l.nodes);
      setError(undefined);
    }, setError);
  }, [enabled]);
  useEffect(load, [load]);
  const reload = useDebounced(load, 300);
  useLive({
    event: (_type, e) => {
      if (e.type.startsWith('node.')) {
        setNodes((list) => {
          if (list === undefined) return list;
          const step = applyNodeEvent(list, e);
          if (step.refetch) reload();
          return step.nodes;
        });
      }
      if (e.type === 'job.started' || e.type === 'job.finished' || e.type === 'job.cancelled') reload();
    },
    reset: load,
  });
  return { nodes, error };
}
