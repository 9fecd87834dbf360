/** The job's first items, from the start of its feed (api/jobs.ts itemsHead, items-preview.ts). */
import type { JobInfo } from '@scrapyard/protocol';
import { itemsHead } from '../../api/jobs.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { cellText, columnsOf, parseItems } from './items-preview.js';

const SHOWN = 20;

export function ItemsSection({ job, generation }: { job: JobInfo; generation: number }) {
  const head = useLoad(() => itemsHead(job.project, job.spider, job.id), [job.id, job.project, generation]);
  const items = head.data ? parseItems(head.data.text, SHOWN, head.data.complete) : [];
  const columns = columnsOf(items);
  return (
    <section id="items" aria-labelledby="items-title">
      <h2 id="items-title">Items (first {SHOWN})</h2>
      <ErrorBanner error={head.error} />
      {head.data === null && (
        <EmptyState title="No items stored for this job.">
          <p>Items are kept on the master when items_dir is a local path; this crawl wrote none there yet.</p>
        </EmptyState>
      )}
      {head.data && items.length === 0 && <EmptyState title="No items yet." />}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="items-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item, i) => (
                <tr key={i}>
                  {typeof item.fields === 'string' ? (
                    <td colSpan={Math.max(1, columns.length)}>{cellText(item.fields)}</td>
                  ) : (
                    columns.map((c) => <td key={c}>{cellText((item.fields as Record<string, unknown>)[c])}</td>)
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
