/**
 * Admin › Tokens: every API token (users', service accounts', the config's metrics token), a service account's
 * token (its secret shown once, with a copy button), revoking one.
 */
import type { ApiToken } from '@scrapyard/protocol';
import { listAllTokens, listProjects, listUsers } from '../../api/admin.js';
import { revokeToken } from '../../api/me.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { AdminNav } from './admin-nav.js';
import { describeScope } from './grants.js';
import { ServiceTokenForm } from './service-token-form.js';
import { useReloadOnAudit } from './use-audit-live.js';

async function load() {
  const [{ tokens }, { users }, { projects }] = await Promise.all([listAllTokens(), listUsers(), listProjects()]);
  return { tokens, owners: new Map(users.map((u) => [u.id, u.name])), deployed: projects.map((p) => p.name) };
}

export function AdminTokensPage() {
  const { data, error, loading, reload } = useLoad(load);
  // Tokens created or revoked anywhere (and their owners' names) show here without a reload.
  useReloadOnAudit(['token.', 'user.'], reload);
  const revoking = useAction();
  const revoke = async (t: ApiToken) => {
    await revoking.run(() => revokeToken(t.id));
    reload();
  };
  const owner = (t: ApiToken) =>
    t.ownerId === null ? <span class="muted">service account</span> : (data?.owners.get(t.ownerId) ?? t.ownerId);
  return (
    <>
      <h1>Admin</h1>
      <AdminNav current="/admin/tokens" />
      <ServiceTokenForm deployed={data?.deployed ?? []} onCreated={reload} />
      <ErrorBanner error={error ?? revoking.error} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && data.tokens.length === 0 && (
        <EmptyState title="No API tokens.">
          <p>Create a service account's token above for a script or a Prometheus server.</p>
        </EmptyState>
      )}
      {data && data.tokens.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead
              columns={[
                'Name',
                'Owner',
                'Role on',
                'Starts with',
                'Created by',
                'Expires',
                'Last used',
                'State',
                { hidden: 'Actions' },
              ]}
            />
            <tbody>
              {data.tokens.map((t) => (
                <tr key={t.id} data-token={t.name}>
                  <td>{t.name}</td>
                  <td>{owner(t)}</td>
                  <td class="wrap">
                    {t.role} on {describeScope(t.projects)}
                  </td>
                  <td>
                    <code>{t.hint}…</code>
                  </td>
                  <td>
                    {t.createdBy}, <Time ms={t.createdAt} />
                  </td>
                  <td>{t.expiresAt === null ? 'never' : <Time ms={t.expiresAt} />}</td>
                  <td>
                    <Time ms={t.lastUsedAt} />
                  </td>
                  <td>
                    <span class={`state state-${t.state}`}>{t.state}</span>
                  </td>
                  <td>{t.state === 'active' && <ConfirmButton onConfirm={() => revoke(t)}>Revoke</ConfirmButton>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
