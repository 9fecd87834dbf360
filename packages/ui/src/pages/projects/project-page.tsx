/** One project: its versions (upload, delete), its spiders (each with its page), its policy, its webhooks. */
import { useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { useLoad } from '../../components/use-load.js';
import { navigate } from '../../navigation.js';
import { useSession } from '../../session/session.js';
import { PolicySection } from './policy-section.js';
import { deleteVersion, getProject } from './projects-api.js';
import { UploadEggForm } from './upload-egg-form.js';
import { VersionsTable } from './versions-table.js';
import { WebhooksSection } from './webhooks-section.js';

export function ProjectPage({ project }: { project: string }) {
  const { can } = useSession();
  const { data, error, reload } = useLoad(() => getProject(project), [project]);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const remove = async (version: string) => {
    setActionError(undefined);
    try {
      const gone = await deleteVersion(project, version);
      if (gone.projectGone) navigate('/projects');
      else reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const p = encodeURIComponent(project);
  return (
    <>
      <p class="crumbs">
        <Link to="/projects">Projects</Link> /
      </p>
      <h1>{project}</h1>
      <ErrorBanner error={actionError ?? error} />
      {data && (
        <>
          {data.settingsModule && (
            <p class="muted">
              Runs from the settings module <code>{data.settingsModule}</code> (no eggs).
            </p>
          )}
          <section class="card" aria-labelledby="versions">
            <h2 id="versions">Versions</h2>
            {can('deploy', project) && <UploadEggForm project={project} onUploaded={reload} />}
            {data.versions.length === 0 ? (
              <EmptyState title="No version yet.">
                {can('deploy', project) ? <p>Upload an egg above.</p> : <p>Someone who deploys it can upload one.</p>}
              </EmptyState>
            ) : (
              <VersionsTable project={data} onDelete={remove} />
            )}
          </section>
          <section class="card" aria-labelledby="spiders">
            <h2 id="spiders">Spiders</h2>
            {data.spiders.length === 0 ? (
              <p class="muted">The latest version lists no spider.</p>
            ) : (
              <ul class="spider-list">
                {data.spiders.map((s) => (
                  <li key={s}>
                    <Link to={`/projects/${p}/spiders/${encodeURIComponent(s)}`}>{s}</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <PolicySection project={project} />
          <WebhooksSection project={project} spiders={data.spiders} />
        </>
      )}
    </>
  );
}
