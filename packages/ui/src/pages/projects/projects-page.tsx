/** Every project the user may read: versions, latest version, spiders; a new project from its first egg. */
import { useState } from 'preact/hooks';
import type { AddVersionResponse } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { navigate } from '../../navigation.js';
import { useSession } from '../../session/session.js';
import { listProjects } from './projects-api.js';
import { UploadEggForm } from './upload-egg-form.js';

export function ProjectsPage() {
  const { can } = useSession();
  const { data, error } = useLoad(listProjects, []);
  const [adding, setAdding] = useState(false);
  const mayDeploy = can('deploy');
  const added = (r: AddVersionResponse) => navigate(`/projects/${encodeURIComponent(r.project)}`);
  return (
    <>
      <h1>Projects</h1>
      <ErrorBanner error={error} />
      {mayDeploy &&
        (adding ? (
          <UploadEggForm onUploaded={added} />
        ) : (
          <p>
            <button type="button" class="secondary" onClick={() => setAdding(true)}>
              New project (upload its first egg)
            </button>
          </p>
        ))}
      {data && data.projects.length === 0 && (
        <EmptyState title="No project yet.">
          {mayDeploy ? (
            <p>Upload a project's first egg above, or deploy it with scrapyd-deploy.</p>
          ) : (
            <p>No project you may read is deployed. Someone who deploys can add one.</p>
          )}
        </EmptyState>
      )}
      {data && data.projects.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Projects">
            <thead>
              <tr>
                <th>Project</th>
                <th>Latest version</th>
                <th>Uploaded</th>
                <th>Versions</th>
                <th>Spiders</th>
              </tr>
            </thead>
            <tbody>
              {data.projects.map((p) => {
                const latest = p.versions.at(-1);
                return (
                  <tr key={p.name}>
                    <td>
                      <Link to={`/projects/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                    </td>
                    <td>{latest ? <code>{latest.name}</code> : <span class="muted">–</span>}</td>
                    <td>
                      <Time ms={latest?.uploadedAt} />
                    </td>
                    <td>{p.versions.length}</td>
                    <td class="wrap">{p.spiders.join(', ') || <span class="muted">–</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
