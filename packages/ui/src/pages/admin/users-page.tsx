/** Admin › Users: everyone who signs in with a password, their grants and state; adding one. */
import { useState } from 'preact/hooks';
import { allSessions, createUser, listUsers } from '../../api/admin.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { navigate } from '../../navigation.js';
import { AdminNav } from './admin-nav.js';
import { describeScope } from './grants.js';
import { useReloadOnAudit } from './use-audit-live.js';
import { lastSeenByUser, PASSWORD_HINT } from './users-view.js';

async function load() {
  const [{ users }, { sessions }] = await Promise.all([listUsers(), allSessions()]);
  return { users, lastSeen: lastSeenByUser(sessions) };
}

export function UsersPage() {
  const { data, error, loading, reload } = useLoad(load);
  // Users made, changed or signed in (last seen) anywhere show here without a reload.
  useReloadOnAudit(['user.', 'session.', 'login.ok'], reload);
  return (
    <>
      <h1>Admin</h1>
      <AdminNav current="/admin" />
      <NewUser />
      <ErrorBanner error={error} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && data.users.length === 0 && (
        <EmptyState title="No users yet.">
          <p>Add one above, then grant them a role.</p>
        </EmptyState>
      )}
      {data && data.users.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Name', 'Roles', 'State', 'Last seen', 'Password set', 'Created']} />
            <tbody>
              {data.users.map((u) => (
                <tr key={u.id} data-user={u.name}>
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.name}</Link>
                  </td>
                  <td class="wrap">
                    {u.grants.length === 0 ? (
                      <span class="muted">none</span>
                    ) : (
                      u.grants.map((g) => `${g.role} on ${describeScope(g.projects)}`).join('; ')
                    )}
                  </td>
                  <td>{u.disabled ? <span class="state-revoked">disabled</span> : 'enabled'}</td>
                  <td>
                    <Time ms={data.lastSeen.get(u.id)} />
                  </td>
                  <td>
                    <Time ms={u.passwordChangedAt} />
                  </td>
                  <td>
                    <Time ms={u.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function NewUser() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { run, error, busy } = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const answer = await run(() => createUser({ name, password, grants: [] }));
    if (answer) navigate(`/admin/users/${encodeURIComponent(answer.user.id)}`);
  };
  return (
    <form class="card inline-form" aria-label="New user" onSubmit={(e) => void submit(e)}>
      <ErrorBanner error={error} />
      <label>
        User name
        <input name="user-name" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Initial password
        <input
          name="user-password"
          type="password"
          autocomplete="new-password"
          required
          aria-describedby="password-rule"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        Add user
      </button>
      <p id="password-rule" class="hint muted">
        {PASSWORD_HINT} Grant a role on the user's page next.
      </p>
    </form>
  );
}
