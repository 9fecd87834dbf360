/** The rows in view of the log (and a margin), placed where they sit in the whole list. */
import type { LogDoc } from './log-doc.js';
import { LINE_HEIGHT } from './log-window.js';

export function LogRows(p: {
  doc: LogDoc;
  rows: readonly number[];
  first: number;
  last: number;
  matchLine: number;
  match: string | undefined;
}) {
  const out = [];
  for (let r = p.first; r < p.last; r++) {
    const i = p.rows[r]!;
    const line = p.doc.line(i);
    const cls = `log-line${line.level ? ` log-${line.level.toLowerCase()}` : ''}${i === p.matchLine ? ' log-match' : ''}`;
    out.push(
      <div key={line.start} class={cls} data-offset={line.start}>
        {i === p.matchLine && p.match ? <Marked text={line.text} q={p.match} /> : line.text || ' '}
      </div>,
    );
  }
  return (
    <div class="log-rows" style={{ transform: `translateY(${p.first * LINE_HEIGHT}px)` }}>
      {out}
    </div>
  );
}

function Marked({ text, q }: { text: string; q: string }) {
  const at = text.indexOf(q);
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <mark>{q}</mark>
      {text.slice(at + q.length)}
    </>
  );
}
