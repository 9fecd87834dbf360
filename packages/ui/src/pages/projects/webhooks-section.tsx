/**
 * A project's webhooks (those naming it, and those of every project): each one's delivery log; for those who may
 * configure it, create, edit, send a test and delete (a webhook of every project needs a `*` grant).
 */
import type { Webhook } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { TableHead } from '../../components/table-head.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { deleteWebhook, listWebhooks, testWebhook, webhookDeliveries } from '../../api/webhooks.js';
import { TargetActions, useOpenLog, useTargetEditor } from '../alerts/target-actions.js';
import { useMayConfigure } from '../alerts/use-configure.js';
import { WebhookEditor } from './webhook-editor.js';

export function WebhooksSection({ project, spiders }: { project: string; spiders: readonly string[] }) {
  const mayConfigure = useMayConfigure();
  const { data, error, reload } = useLoad(listWebhooks, []);
  const action = useAction();
  const logs = useOpenLog();
  const ed = useTargetEditor<Webhook>('webhook', reload);
  const hooks = (data?.webhooks ?? []).filter((w) => w.project === null || w.project === project);
  const act = async (what: () => Promise<unknown>) => {
    await action.run(what);
    reload();
  };
  return (
    <section class="card" aria-labelledby="webhooks">
      <div class="page-head">
        <h2 id="webhooks">Webhooks</h2>
        {mayConfigure(project) && ed.editing === undefined && (
          <button type="button" onClick={() => ed.open(null)}>
            New webhook
          </button>
        )}
      </div>
      <ErrorBanner error={action.error ?? error} onDismiss={action.error ? action.clearError : undefined} />
      {ed.secretOnce}
      {ed.editing !== undefined && (
        <WebhookEditor
          key={ed.key}
          project={project}
          spiders={spiders}
          webhook={ed.editing ?? undefined}
          onSaved={(answer) => ed.saved(answer.secret)}
          onCancel={ed.close}
        />
      )}
      {data && hooks.length === 0 && (
        <EmptyState title="No webhook reaches this project.">
          <p>
            {mayConfigure(project)
              ? 'Add one to have each job start, finish or failure (and its items) POSTed to your URL, signed.'
              : 'Someone who configures this project can add one.'}
          </p>
        </EmptyState>
      )}
      {hooks.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Name', 'URL', 'Scope', 'Events', 'State', { hidden: 'Actions' }]} />
            <tbody>
              {hooks.map((w) => (
                <tr key={w.id} data-webhook={w.name ?? w.id}>
                  <td>{w.name ?? w.id}</td>
                  <td class="wrap">
                    <code>{w.url}</code>
                  </td>
                  <td>
                    {w.project === null ? 'every project' : w.spider === null ? 'this project' : `spider ${w.spider}`}
                  </td>
                  <td class="wrap">{[...w.events, ...(w.items ? ['items'] : [])].join(', ')}</td>
                  <td>{w.enabled ? 'enabled' : 'disabled'}</td>
                  <td>
                    <TargetActions
                      name={w.name ?? w.id}
                      logOpen={logs.open === w.id}
                      onLog={() => logs.toggle(w.id)}
                      mayConfigure={mayConfigure(w.project)}
                      onEdit={() => ed.open(w)}
                      onTest={() => void act(() => testWebhook(w.id).then(() => logs.tested(w.id)))}
                      onDelete={() => act(() => deleteWebhook(w.id))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {logs.log(
        hooks.map((w) => w.id),
        webhookDeliveries,
        'Send a test, or wait for a job of this project to start or end.',
      )}
    </section>
  );
}
