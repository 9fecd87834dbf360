/**
 * Which projects a grant or a token covers: all of them (`*`, including later ones) or a list, picked from the
 * deployed projects or typed (a project not deployed yet may be named: the server warns).
 */
import { useState } from 'preact/hooks';
import { addProject, pickable, removeProject } from './grants.js';

export interface Picked {
  all: boolean;
  projects: string[];
}

export function ProjectPicker(props: {
  value: Picked;
  onChange: (v: Picked) => void;
  /** The deployed projects (GET /api/v1/projects). */
  deployed: readonly string[];
  idPrefix: string;
}) {
  const { value, onChange, deployed, idPrefix } = props;
  const [typed, setTyped] = useState('');
  const add = (p: string) => {
    onChange({ ...value, projects: addProject(value.projects, p) });
    setTyped('');
  };
  const listId = `${idPrefix}-deployed`;
  return (
    <fieldset class="stack">
      <legend>Projects</legend>
      <label>
        <input
          type="checkbox"
          checked={value.all}
          onChange={(e) => onChange({ ...value, all: e.currentTarget.checked })}
        />{' '}
        All projects (including ones deployed later)
      </label>
      {!value.all && (
        <>
          <div class="inline-form">
            <label>
              Project
              <input
                name={`${idPrefix}-project`}
                list={listId}
                value={typed}
                onInput={(e) => setTyped(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    add(typed);
                  }
                }}
              />
            </label>
            <datalist id={listId}>
              {pickable(deployed, value.projects).map((p) => (
                <option key={p} value={p} />
              ))}
            </datalist>
            <button type="button" class="secondary" onClick={() => add(typed)} disabled={typed.trim() === ''}>
              Add project
            </button>
          </div>
          {value.projects.length === 0 ? (
            <p class="muted">No project picked yet.</p>
          ) : (
            <ul class="chips" aria-label="Projects picked">
              {value.projects.map((p) => (
                <li key={p}>
                  {p}
                  <button
                    type="button"
                    class="link-button"
                    aria-label={`Remove ${p}`}
                    onClick={() => onChange({ ...value, projects: removeProject(value.projects, p) })}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </fieldset>
  );
}
