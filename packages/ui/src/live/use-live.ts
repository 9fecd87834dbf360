/**
 * The pages' way to the tab's one live stream: `useLive({ event, reset })` subscribes while the component is
 * mounted. The stream opens with the first subscriber and stays open for the tab (pages come and go; the stream's
 * last id, and with it a gap-free resume, must survive a page change). A `reset` means events were missed: a page
 * reloads what it shows. `ended` (access gone) sends the app to the login page through the session's listener.
 */
import { useEffect, useRef } from 'preact/hooks';
import { EventBatch } from './event-batch.js';
import { LiveEventStream, type EventSourceConstructor, type LiveListener } from './event-stream.js';

let stream: LiveEventStream | null = null;

/** What the pages hear, in the stream's order: one batch per turn, so a busy stream costs one render per batch. */
const listeners = new Set<LiveListener>();
type Heard = (l: LiveListener) => void;
const batch = new EventBatch<Heard>({
  deliver: (calls) => {
    for (const call of calls) for (const l of listeners) call(l);
  },
  minGapMs: 250,
  maxItems: 2_000,
  now: () => performance.now(),
  setTimeout: (fn, ms) => void setTimeout(fn, ms),
});

/** The tab's stream, opened on first use. */
export function liveStream(): LiveEventStream {
  if (stream === null) {
    // The browser's EventSource is wider than the part the stream uses (its onerror takes an Event).
    const Source = EventSource as unknown as EventSourceConstructor;
    stream = new LiveEventStream({ EventSource: Source, baseMs: 500, maxMs: 15_000 });
    stream.subscribe({
      event: (type, data) => batch.push((l) => l.event?.(type, data)),
      reset: () => batch.push((l) => l.reset?.()),
      ended: (reason) => batch.push((l) => l.ended?.(reason)),
      phase: (p) => batch.push((l) => l.phase?.(p)),
    });
    stream.start();
  }
  return stream;
}

/** Closes the tab's stream (logout): the next subscriber opens a new one with the new session. */
export function closeLiveStream(): void {
  stream?.stop();
  stream = null;
}

/** Subscribes the component to the live stream; the latest handlers are called, without resubscribing. */
export function useLive(listener: LiveListener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    liveStream();
    const listener: LiveListener = {
      event: (type, data) => latest.current.event?.(type, data),
      reset: () => latest.current.reset?.(),
      ended: (reason) => latest.current.ended?.(reason),
      phase: (p) => latest.current.phase?.(p),
    };
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
}
