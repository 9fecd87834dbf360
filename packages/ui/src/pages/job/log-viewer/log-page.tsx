/** `/jobs/:jobId/log[?project=]`: the log viewer alone, full page (the job page's "open the log full screen"). */
import { Link } from '../../../components/link.js';
import { LogViewer } from './log-viewer.js';

export function LogPage({ jobId, search }: { jobId: string; search: string }) {
  const project = new URLSearchParams(search).get('project') ?? undefined;
  return (
    <section class="log-page" aria-labelledby="log-page-title">
      <h1 id="log-page-title">
        Log of job <code>{jobId}</code>
      </h1>
      <p>
        <Link to={`/jobs/${encodeURIComponent(jobId)}`}>Back to the job</Link>
      </p>
      <LogViewer jobId={jobId} project={project} />
    </section>
  );
}
