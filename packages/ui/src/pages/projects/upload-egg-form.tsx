/**
 * Upload an egg from the browser: to a project (its page) or to a new one named here (the first egg creates it).
 * Shows the upload's progress, then the version and spiders the master found, or its error (a bad egg's message).
 */
import type { AddVersionResponse } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatBytes } from '../../format/numbers.js';
import { useSession } from '../../session/session.js';
import { uploadEgg } from './projects-api.js';

export function UploadEggForm(props: { project?: string; onUploaded: (r: AddVersionResponse) => void }) {
  const { can } = useSession();
  const [project, setProject] = useState(props.project ?? '');
  const [version, setVersion] = useState('');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [progress, setProgress] = useState<{ sent: number; total: number } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<AddVersionResponse | undefined>(undefined);
  const named = project.trim();
  const allowed = named === '' || can('deploy', named);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || named === '') return;
    setError(undefined);
    setDone(undefined);
    setProgress({ sent: 0, total: file.size });
    try {
      const answer = await uploadEgg(named, version.trim() || defaultVersion(), file, (sent, total) =>
        setProgress({ sent, total }),
      );
      setDone(answer);
      setVersion('');
      props.onUploaded(answer);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <form class="card inline-form" onSubmit={(e) => void submit(e)} aria-label="Upload an egg">
      {props.project === undefined && (
        <label>
          Project
          <input
            name="project"
            required
            maxLength={200}
            value={project}
            onInput={(e) => setProject(e.currentTarget.value)}
          />
        </label>
      )}
      <label>
        Version
        <input
          name="version"
          maxLength={200}
          placeholder="default: the time now"
          value={version}
          onInput={(e) => setVersion(e.currentTarget.value)}
        />
      </label>
      <label>
        Egg
        <input
          name="egg"
          type="file"
          accept=".egg"
          required
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? undefined)}
        />
      </label>
      <button type="submit" disabled={!file || named === '' || !allowed || progress !== undefined}>
        Upload
      </button>
      {!allowed && <p class="muted">You may not deploy to project {named}.</p>}
      {progress && (
        <p role="status" class="upload-progress">
          <progress max={progress.total} value={progress.sent} /> {formatBytes(progress.sent)} of{' '}
          {formatBytes(progress.total)}
          {progress.sent >= progress.total && ': the master is listing its spiders…'}
        </p>
      )}
      {done && (
        <p role="status" class="upload-done">
          Version <strong>{done.version}</strong> of {done.project} deployed, spiders:{' '}
          {done.spiders.length > 0 ? done.spiders.join(', ') : 'none'}.
        </p>
      )}
      <div class="form-error">
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </div>
    </form>
  );
}

/** Scrapyd's clients default the version to a timestamp; the same here (`20261207T011500`). */
function defaultVersion(): string {
  return new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
}
