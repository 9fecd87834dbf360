/**
 * Admin › a user: their grants (grant a role on `*` or projects, revoke a role or one project), a new password,
 * disable or enable, delete, and their browser sessions. Every refusal (WEAK_PASSWORD, LAST_ADMIN…) is shown as the
 * server says it; a grant's warnings (a project not deployed yet) too.
 */
import type { UserGrant, UserResponse } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { deleteUser, getUser, listProjects, revokeRole, setDisabled } from '../../api/admin.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { navigate } from '../../navigation.js';
import { AdminNav } from './admin-nav.js';
import { GrantForm } from './grant-form.js';
import { revokeOne } from './grants.js';
import { PasswordForm } from './password-form.js';
import { UserSessions } from './user-sessions.js';

async function load(id: string) {
  const [{ user }, { projects }] = await Promise.all([getUser(id), listProjects()]);
  return { user, deployed: projects.map((p) => p.name) };
}

export function UserPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useLoad(() => load(id), [id]);
  const action = useAction();
  const [warnings, setWarnings] = useState<string[]>([]);
  /** Runs a change; its answer's warnings shown, its refusal too. */
  const act = async (change: () => Promise<UserResponse | void>) => {
    setWarnings([]);
    const answer = await action.run(change);
    if (answer) setWarnings(answer.warnings);
    reload();
  };
  const user = data?.user;
  return (
    <>
      <h1>{user ? `User ${user.name}` : 'User'}</h1>
      <AdminNav current="/admin" />
      <ErrorBanner error={error ?? action.error} onDismiss={action.clearError} />
      {warnings.map((w) => (
        <p key={w} class="warning" role="status">
          {w}
        </p>
      ))}
      {loading && !data && <p class="muted">Loading…</p>}
      {user && (
        <>
          <section class="card inline-form" aria-label="State">
            <span>
              {user.disabled ? <strong class="state-revoked">Disabled</strong> : 'Enabled'}; password set{' '}
              <Time ms={user.passwordChangedAt} />
            </span>
            <button
              type="button"
              class="secondary"
              onClick={() => void act(() => setDisabled(user.id, !user.disabled))}
            >
              {user.disabled ? 'Enable' : 'Disable'}
            </button>
            <ConfirmButton
              onConfirm={() =>
                act(async () => {
                  await deleteUser(user.id);
                  navigate('/admin');
                })
              }
            >
              Delete user
            </ConfirmButton>
          </section>
          <h2>Roles</h2>
          <Grants grants={user.grants} onRevoke={(g, p) => act(() => revokeRole(user.id, revokeOne(g, p)))} />
          <GrantForm userId={user.id} deployed={data.deployed} act={act} />
          <h2>Password</h2>
          <PasswordForm userId={user.id} act={act} />
          <h2>Sessions</h2>
          <UserSessions userId={user.id} changed={user.updatedAt} />
        </>
      )}
    </>
  );
}

function Grants(props: { grants: readonly UserGrant[]; onRevoke: (g: UserGrant, project?: string) => Promise<void> }) {
  if (props.grants.length === 0) return <p class="muted">No role yet: grant one below.</p>;
  return (
    <div class="table-wrap">
      <table>
        <TableHead columns={['Role', 'Projects', { hidden: 'Actions' }]} />
        <tbody>
          {props.grants.map((g) => (
            <tr key={g.role} data-grant={g.role}>
              <td>{g.role}</td>
              <td class="wrap">
                {g.projects === '*' ? (
                  'all projects'
                ) : (
                  <ul class="chips" aria-label={`Projects of ${g.role}`}>
                    {g.projects.map((p) => (
                      <li key={p}>
                        {p}
                        {g.projects.length > 1 && (
                          <button
                            type="button"
                            class="link-button"
                            aria-label={`Revoke ${g.role} on ${p}`}
                            onClick={() => void props.onRevoke(g, p)}
                          >
                            ×
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <ConfirmButton onConfirm={() => props.onRevoke(g)}>Revoke {g.role}</ConfirmButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
