/** A project's webhooks (those naming it, and those of every project), with a way to the page that creates one. */
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session/session.js';
import { listWebhooks } from './projects-api.js';

export function WebhooksSection({ project }: { project: string }) {
  const { can } = useSession();
  const { data, error } = useLoad(listWebhooks, []);
  const hooks = (data?.webhooks ?? []).filter((w) => w.project === null || w.project === project);
  return (
    <section class="card" aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      <ErrorBanner error={error} />
      {data && hooks.length === 0 && (
        <EmptyState title="No webhook reaches this project.">
          {can('configure', project) ? (
            <p>
              Create one on the master with <code>scrapyard-master webhook create --url URL --project {project}</code>{' '}
              or <code>POST /api/v1/webhooks</code> with <code>"project": "{project}"</code> (docs/webhooks.md).
            </p>
          ) : (
            <p>Someone who configures this project can add one.</p>
          )}
        </EmptyState>
      )}
      {hooks.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>URL</th>
                <th>Scope</th>
                <th>Events</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {hooks.map((w) => (
                <tr key={w.id}>
                  <td>{w.name ?? w.id}</td>
                  <td class="wrap">
                    <code>{w.url}</code>
                  </td>
                  <td>
                    {w.project === null ? 'every project' : w.spider === null ? 'this project' : `spider ${w.spider}`}
                  </td>
                  <td class="wrap">{w.events.join(', ')}</td>
                  <td>{w.enabled ? 'enabled' : 'disabled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
