/** The schedules that run this spider (the schedule list, narrowed here), with a way to the schedules page. */
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { useLoad } from '../../components/use-load.js';
import { listSchedules } from '../projects/projects-api.js';

export function SpiderSchedules({ project, spider }: { project: string; spider: string }) {
  const { data, error } = useLoad(listSchedules, []);
  const mine = (data?.schedules ?? []).filter((s) => s.project === project && s.spider === spider);
  return (
    <section class="card" aria-labelledby="schedules">
      <h2 id="schedules">Schedules</h2>
      <ErrorBanner error={error} />
      {data && mine.length === 0 && (
        <p class="muted">
          No schedule runs this spider. <Link to="/schedules">Create one on the schedules page.</Link>
        </p>
      )}
      {mine.length > 0 && (
        <ul class="schedule-list">
          {mine.map((s) => (
            <li key={s.id}>
              <strong>{s.name ?? s.id}</strong>:{' '}
              {s.cron !== null ? <code>{s.cron}</code> : `every ${s.intervalSeconds} s`} ({s.timezone})
              {!s.enabled && <span class="badge">paused</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
