/**
 * STUB: the log viewer is built by the log-viewer helper, who replaces this file (byte-range reads, follow, search,
 * level filter, download). The job page renders it in its `<section id="log">`.
 */
export function LogViewer(props: { jobId: string; project: string; running: boolean }) {
  return (
    <p class="muted">
      The log of <code>{props.jobId}</code> ({props.project}){props.running ? ', still growing' : ''}:{' '}
      <a
        href={`/api/v1/jobs/${encodeURIComponent(props.jobId)}/log/download?project=${encodeURIComponent(props.project)}`}
      >
        download
      </a>
      .
    </p>
  );
}
