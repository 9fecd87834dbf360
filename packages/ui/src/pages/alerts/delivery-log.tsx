/** A channel's delivery log: each notice (and test), its attempts, status and last error. */
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { TableHead } from '../../components/table-head.js';
import { channelDeliveries } from '../../api/alerts.js';

export function DeliveryLog({ channelId }: { channelId: string }) {
  const { data, error, loading, reload } = useLoad(() => channelDeliveries(channelId), [channelId]);
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
          <p>Send a test, or wait for a rule naming this channel to fire.</p>
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
