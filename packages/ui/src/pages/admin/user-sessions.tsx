/** A user's browser sessions, as an admin sees them: where they are signed in, and revoking one. */
import { userSessions } from '../../api/admin.js';
import { revokeSession } from '../../api/me.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';

/** `changed`: the user's last change (a disable or a new password ends their sessions): the list is asked again. */
export function UserSessions({ userId, changed }: { userId: string; changed: number }) {
  const { data, error, reload } = useLoad(() => userSessions(userId), [userId, changed]);
  const revoking = useAction();
  const revoke = async (id: string) => {
    await revoking.run(() => revokeSession(id));
    reload();
  };
  return (
    <>
      <ErrorBanner error={error ?? revoking.error} />
      {data && data.sessions.length === 0 && <EmptyState title="Not signed in anywhere." />}
      {data && data.sessions.length > 0 && (
        <ul class="card stack" aria-label="Sessions">
          {data.sessions.map((s) => (
            <li key={s.id} data-session={s.id} class="inline-form">
              <span class="wrap">
                {s.userAgent || 'unknown browser'} from {s.address}, last seen <Time ms={s.lastSeenAt} />, expires{' '}
                <Time ms={s.expiresAt} />
              </span>
              <ConfirmButton onConfirm={() => revoke(s.id)}>Revoke session</ConfirmButton>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
