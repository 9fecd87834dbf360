/** The viewer's controls: jumps, follow, search, level filter and download. */
import { useState } from 'preact/hooks';
import { LEVELS, type Level } from './log-lines.js';

export interface ToolbarProps {
  follow: boolean;
  growing: boolean;
  shown: ReadonlySet<Level>;
  searching: boolean;
  downloadHref: string;
  onStart: () => void;
  onEnd: () => void;
  onFollow: (on: boolean) => void;
  onLevel: (level: Level, on: boolean) => void;
  onSearch: (q: string, direction: 'forward' | 'backward') => void;
}

export function LogToolbar(p: ToolbarProps) {
  const [q, setQ] = useState('');
  const search = (direction: 'forward' | 'backward') => q !== '' && p.onSearch(q, direction);
  return (
    <div class="log-toolbar">
      <div class="log-toolbar-group">
        <button type="button" onClick={p.onStart}>
          Jump to start
        </button>
        <button type="button" onClick={p.onEnd}>
          Jump to end
        </button>
        {p.growing && (
          <label>
            <input type="checkbox" checked={p.follow} onChange={(e) => p.onFollow(e.currentTarget.checked)} /> Follow
          </label>
        )}
        <a class="button" href={p.downloadHref} download>
          Download
        </a>
      </div>
      <form
        class="log-toolbar-group"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search('forward');
        }}
      >
        <label>
          Search <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} maxLength={256} />
        </label>
        <button type="submit" disabled={p.searching || q === ''}>
          Next
        </button>
        <button type="button" disabled={p.searching || q === ''} onClick={() => search('backward')}>
          Previous
        </button>
      </form>
      <fieldset class="log-toolbar-group log-levels">
        <legend>Levels</legend>
        {LEVELS.map((level) => (
          <label key={level}>
            <input
              type="checkbox"
              checked={p.shown.has(level)}
              onChange={(e) => p.onLevel(level, e.currentTarget.checked)}
            />{' '}
            {level}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
