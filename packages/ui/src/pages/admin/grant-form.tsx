/** Grants a user a role on every project or on the projects picked. */
import type { UserResponse, UserRole } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { grantRole } from '../../api/admin.js';
import { Options } from '../../components/options.js';
import { scopeOf, USER_ROLE_LIST } from './grants.js';
import { ProjectPicker, type Picked } from './project-picker.js';

export function GrantForm(props: {
  userId: string;
  deployed: readonly string[];
  act: (change: () => Promise<UserResponse>) => Promise<void>;
}) {
  const [role, setRole] = useState<UserRole>('viewer');
  const [picked, setPicked] = useState<Picked>({ all: false, projects: [] });
  const scope = scopeOf(picked.all, picked.projects);
  const submit = (e: Event) => {
    e.preventDefault();
    if (scope === undefined) return;
    void props.act(async () => {
      const answer = await grantRole(props.userId, { role, projects: scope === '*' ? '*' : [...scope] });
      setPicked({ all: false, projects: [] });
      return answer;
    });
  };
  return (
    <form class="card stack" aria-label="Grant a role" onSubmit={submit}>
      <label>
        Role
        <select name="grant-role" value={role} onChange={(e) => setRole(e.currentTarget.value as UserRole)}>
          <Options values={USER_ROLE_LIST} />
        </select>
      </label>
      <ProjectPicker value={picked} onChange={setPicked} deployed={props.deployed} idPrefix="grant" />
      <button type="submit" disabled={scope === undefined}>
        Grant
      </button>
    </form>
  );
}
