/** My browser sessions (GET /api/v1/sessions): where I am signed in, and revoking one. */
import { listSessions, revokeSession } from '../../api/me.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Time } from '../../components/time.js';
import { TableHead } from '../../components/table-head.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session/session.js';

export function SessionsPage() {
  const userId = useSession().who?.user.id ?? '';
  const { data, error, loading, reload } = useLoad(() => listSessions(userId), [userId]);
  const revoking = useAction();
  const revoke = async (id: string) => {
    const done = await revoking.run(() => revokeSession(id).then(() => true));
    if (done) {
      reload();
    }
  };
  return (
    <>
      <h1>My sessions</h1>
      <p class="muted">The browsers signed in as you. Revoke one you don't recognise, then change your password.</p>
      <ErrorBanner error={error ?? revoking.error} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && data.sessions.length === 0 && <EmptyState title="No sessions." />}
      {data && data.sessions.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Browser', 'Address', 'Signed in', 'Last seen', 'Expires', { hidden: 'Actions' }]} />
            <tbody>
              {data.sessions.map((s) => (
                <tr key={s.id} data-session={s.id}>
                  <td class="wrap">
                    {s.userAgent || <span class="muted">unknown</span>}
                    {s.current && <span class="badge">this browser</span>}
                  </td>
                  <td>{s.address}</td>
                  <td>
                    <Time ms={s.createdAt} />
                  </td>
                  <td>
                    <Time ms={s.lastSeenAt} />
                  </td>
                  <td>
                    <Time ms={s.expiresAt} />
                  </td>
                  <td>
                    <ConfirmButton onConfirm={() => revoke(s.id)}>
                      {s.current ? 'Sign out here' : 'Revoke'}
                    </ConfirmButton>
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
