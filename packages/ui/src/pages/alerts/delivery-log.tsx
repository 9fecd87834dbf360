/** A channel's or a webhook's delivery log: each notice (and test), its attempts, status and last error. */
import type { DeliveryPage } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { TableHead } from '../../components/table-head.js';

/** `load` is read when the log opens (give it a `key` of what it shows, to read another one). */
export function DeliveryLog({ load, empty }: { load: () => Promise<DeliveryPage>; empty: string }) {
  const { data, error, loading, reload } = useLoad(load);
  return (
    <div class="card delivery-log" aria-label="Delivery log">
      <div class="page-head">
        <h3>Delivery log</h3>
        <button type="button" class="secondary" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} />
      {data && data.deliveries.length === 0 && (
        <EmptyState title="Nothing sent yet.">
          <p>{empty}</p>
        </EmptyState>
      )}
      {data && data.deliveries.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Event', 'State', 'Attempts', 'Status', 'Created', 'Delivered', 'Last error']} />
            <tbody>
              {data.deliveries.map((d) => (
                <tr key={d.id} data-delivery={d.event} data-state={d.state}>
                  <td>{d.event}</td>
                  <td>
                    <span class={`state state-${d.state}`}>{d.state}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.lastStatus ?? '–'}</td>
                  <td>
                    <Time ms={d.createdAt} />
                  </td>
                  <td>
                    <Time ms={d.deliveredAt} />
                  </td>
                  <td class="wrap">{d.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
