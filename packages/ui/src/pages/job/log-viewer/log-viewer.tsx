/**
 * A job's log, whatever its size: opens at its end (the last 64 KiB), reads earlier or later chunks as the user
 * scrolls, keeps a bounded number of them (log-doc.ts) and puts only the rows in view in the DOM (log-window.ts).
 * While the job runs it follows the log's live tail (its own SSE stream, log-stream.ts) and stays at the bottom
 * until the user scrolls up. Search runs on the master over the whole file; the level filter applies to the lines
 * held (the status line says which bytes those are).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../../api/errors.js';
import { ErrorBanner } from '../../../components/error-banner.js';
import { formatBytes, formatCount } from '../../../format/numbers.js';
import { LogDoc, tailRead } from './log-doc.js';
import { LEVELS, type Level } from './log-lines.js';
import { findMatch } from './log-search.js';
import { downloadUrl, followLog, readRange } from './log-source.js';
import { LogToolbar } from './log-toolbar.js';
import { LINE_HEIGHT, atBottom, lineWindow, rangeAround, rangeBefore, wantMore } from './log-window.js';
import { LogRows } from './log-rows.js';

const CHUNK = 64 * 1024;
/** Rows rendered beyond the view each side, and rows from a held edge at which the next chunk is read. */
const MARGIN = 40;
const THRESHOLD = 200;

/** Where the view goes after the next render: the bottom, the top, or a byte's line at `delta` px from the top. */
type Anchor = 'bottom' | 'top' | { offset: number; delta: number };

export interface LogViewerProps {
  jobId: string;
  project?: string | undefined;
  /** The job runs (or waits): follow its log live. Absent: as the master says when the log is first read. */
  running?: boolean | undefined;
}

export function LogViewer({ jobId, project, running }: LogViewerProps) {
  const target = useMemo(() => ({ jobId, project }), [jobId, project]);
  const doc = useMemo(() => new LogDoc(), [target]);
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((n) => n + 1);
  const [shown, setShown] = useState<ReadonlySet<Level>>(() => new Set(LEVELS));
  const [growing, setGrowing] = useState(false);
  const [tailFrom, setTailFrom] = useState<number | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [match, setMatch] = useState<{ q: string; offset: number } | undefined>(undefined);
  const [searching, setSearching] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [view, setView] = useState({ top: 0, height: 0 });
  const [opened, setOpened] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const anchor = useRef<Anchor | undefined>(undefined);
  const follow = useRef(true);
  const growingRef = useRef(false);
  const busy = useRef(false);
  growingRef.current = growing;

  const rows = useMemo(() => doc.filter(shown), [doc, version, shown]);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  /** The view's top line, to keep it in place while lines come or go above it. */
  const topAnchor = (): Anchor | undefined => {
    const el = box.current;
    if (!el) return undefined;
    if (follow.current && doc.atEnd) return 'bottom';
    const row = Math.floor(el.scrollTop / LINE_HEIGHT);
    const i = rowsRef.current[Math.min(row, rowsRef.current.length - 1)];
    return i === undefined ? undefined : { offset: doc.line(i).start, delta: el.scrollTop - row * LINE_HEIGHT };
  };
  const changed = (a: Anchor | undefined) => {
    anchor.current = a;
    bump();
  };
  const fail = (e: unknown) => setError(e);

  /** Holds one chunk from `offset` (undefined: the end) and shows it at `then`. */
  const openAt = async (offset: number | undefined, length: number, then: Anchor) => {
    const read = await readRange(target, offset, length);
    doc.reset(read);
    changed(then);
    if (doc.atEnd && growingRef.current) setTailFrom(doc.end);
    return read;
  };

  useEffect(() => {
    follow.current = true;
    openAt(undefined, CHUNK, 'bottom').then((read) => {
      const live = running ?? read.growing;
      growingRef.current = live;
      setGrowing(live);
      if (live) setTailFrom(read.end);
      setOpened(true);
    }, fail);
  }, [target]);

  // A job that starts running after the viewer opened: follow it from what is held.
  useEffect(() => {
    if (running && opened && !growingRef.current) {
      setGrowing(true);
      setTailFrom(doc.atEnd ? doc.end : doc.size);
    }
  }, [running, opened]);

  useEffect(() => {
    if (!growing || tailFrom === undefined) return;
    return followLog(target, tailFrom, {
      piece: (at, text) => {
        const a = topAnchor();
        if (doc.append(tailRead(at, text)) >= 0 || !doc.atEnd) changed(a);
      },
      end: () => setGrowing(false),
      error: () =>
        fail(
          new ApiError(
            0,
            'NETWORK_ERROR',
            'the live log stream was refused or closed: reload the page to follow it again',
          ),
        ),
    });
  }, [target, growing, tailFrom]);

  /** Reads the chunk before or after the held part when the view nears its edge. */
  const readMore = async () => {
    const el = box.current;
    if (busy.current || !el || doc.empty) return;
    const win = lineWindow(el.scrollTop, el.clientHeight, LINE_HEIGHT, rowsRef.current.length, 0);
    const where = wantMore(win, rowsRef.current.length, THRESHOLD, doc);
    if (where === null) return;
    busy.current = true;
    try {
      if (where === 'before') {
        const r = rangeBefore(doc.start, CHUNK)!;
        const read = await readRange(target, r.offset, r.length);
        const a = topAnchor();
        if (doc.prepend(read)) changed(a);
      } else {
        const read = await readRange(target, doc.end, CHUNK);
        const a = topAnchor();
        if (doc.append(read) >= 0) changed(a);
        if (doc.atEnd && growingRef.current) setTailFrom(doc.end);
      }
    } catch (e) {
      fail(e);
    } finally {
      busy.current = false;
    }
  };

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const a = anchor.current;
    anchor.current = undefined;
    if (a === 'bottom') el.scrollTop = el.scrollHeight;
    else if (a === 'top') el.scrollTop = 0;
    else if (a !== undefined) {
      const i = doc.lineAt(a.offset);
      if (i >= 0) el.scrollTop = lowerBound(rows, i) * LINE_HEIGHT + a.delta;
    }
    setView({ top: el.scrollTop, height: el.clientHeight });
    void readMore();
  }, [version, shown]);

  const onScroll = () => {
    const el = box.current!;
    follow.current = doc.atEnd && atBottom(el.scrollTop, el.clientHeight, el.scrollHeight, LINE_HEIGHT);
    setView({ top: el.scrollTop, height: el.clientHeight });
    void readMore();
  };

  const goTo = async (offset: number) => {
    follow.current = false;
    const center = { offset, delta: -Math.floor((box.current?.clientHeight ?? 0) / 2) };
    if (doc.lineAt(offset) >= 0) changed(center);
    else {
      const r = rangeAround(offset, CHUNK);
      await openAt(r.offset, r.length, center);
    }
  };

  const onSearch = async (q: string, direction: 'forward' | 'backward') => {
    setSearching(true);
    setNotice(undefined);
    try {
      // A new search starts at the file's start (Next) or end (Previous); then it goes on from the match shown.
      const again = match?.q === q;
      const from = again ? (direction === 'forward' ? match.offset + 1 : match.offset) : undefined;
      const m = await findMatch(target, q, direction === 'forward' ? (from ?? 0) : from, direction);
      if (m === undefined) {
        setNotice(
          `“${q}” not found${again ? (direction === 'forward' ? ' after this match' : ' before this match') : ''}`,
        );
        return;
      }
      setMatch({ q, offset: m.offset });
      await goTo(m.offset);
    } catch (e) {
      fail(e);
    } finally {
      setSearching(false);
    }
  };

  const win = lineWindow(view.top, view.height || 600, LINE_HEIGHT, rows.length, MARGIN);
  const matchLine = match === undefined ? -1 : doc.lineAt(match.offset);
  return (
    <div class="log-viewer" data-start={doc.start} data-end={doc.end}>
      <LogToolbar
        follow={follow.current && growing}
        growing={growing}
        shown={shown}
        searching={searching}
        downloadHref={downloadUrl(target)}
        onStart={() => {
          follow.current = false;
          if (doc.atStart) changed('top');
          else openAt(0, CHUNK, 'top').catch(fail);
        }}
        onEnd={() => {
          follow.current = true;
          if (doc.atEnd) changed('bottom');
          else openAt(undefined, CHUNK, 'bottom').catch(fail);
        }}
        onFollow={(on) => {
          follow.current = on;
          if (!on) bump();
          else if (doc.atEnd) changed('bottom');
          else openAt(undefined, CHUNK, 'bottom').catch(fail);
        }}
        onLevel={(level, on) => {
          anchor.current = topAnchor();
          const next = new Set(shown);
          if (on) next.add(level);
          else next.delete(level);
          setShown(next);
        }}
        onSearch={(q, d) => void onSearch(q, d)}
      />
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      {notice && (
        <p class="log-notice" role="status">
          {notice}
        </p>
      )}
      <div
        class="log-viewport"
        ref={box}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-live="off"
        aria-label="Job log"
      >
        {opened && doc.size === 0 && (
          <p class="muted log-empty">
            {growing ? 'No log yet: lines appear here as the job writes them.' : 'This log is empty.'}
          </p>
        )}
        <div class="log-canvas" style={{ height: `${rows.length * LINE_HEIGHT}px` }}>
          <LogRows doc={doc} rows={rows} first={win.first} last={win.last} matchLine={matchLine} match={match?.q} />
        </div>
      </div>
      <p class="log-status muted">
        {doc.empty
          ? 'Reading…'
          : `Holding bytes ${formatBytes(doc.start)}–${formatBytes(doc.end)} of ${formatBytes(doc.size)} (${formatCount(doc.lineCount)} lines; the level filter applies to these, search to the whole file)`}
        {growing && (follow.current ? ' · following' : ' · paused: jump to the end to follow')}
      </p>
    </div>
  );
}

/** The first row showing line `i` or a line after it. */
function lowerBound(rows: readonly number[], i: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
