/**
 * "Enroll a node": a single-use, short-lived token (POST /api/v1/nodes/enrollments) and the exact commands to run
 * on the new machine, with a copy button. The token is shown once: it is not kept anywhere.
 */
import type { EnrollmentResponse } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ErrorBanner } from '../../components/error-banner.js';
import { Time } from '../../components/time.js';
import { enrollCommands } from './enroll-commands.js';
import { createEnrollment } from '../../api/nodes.js';

const TTLS = [
  { label: '15 minutes', seconds: 900 },
  { label: '1 hour', seconds: 3_600 },
  { label: '24 hours', seconds: 86_400 },
] as const;

export function EnrollPanel() {
  const [nodeId, setNodeId] = useState('');
  const [ttl, setTtl] = useState<number>(900);
  const [made, setMade] = useState<EnrollmentResponse | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCopied(false);
    try {
      setMade(await createEnrollment({ ttlSeconds: ttl, ...(nodeId.trim() !== '' && { nodeId: nodeId.trim() }) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const commands = made && enrollCommands(window.location.origin, made.token, made.nodeId);
  const copy = async () => {
    if (commands === undefined) return;
    try {
      await navigator.clipboard.writeText(commands);
      setCopied(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section class="card enroll" aria-label="Enroll a node">
      <h2>Enroll a node</h2>
      <form class="inline-form" onSubmit={(e) => void submit(e)}>
        <label>
          Node id (optional)
          <input value={nodeId} onInput={(e) => setNodeId(e.currentTarget.value)} placeholder="its host name" />
        </label>
        <label>
          Valid for
          <select value={ttl} onChange={(e) => setTtl(Number(e.currentTarget.value))}>
            {TTLS.map((t) => (
              <option key={t.seconds} value={t.seconds}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Create an enrollment token
        </button>
      </form>
      <ErrorBanner error={error} />
      {made && commands && (
        <div class="secret-once">
          <p>
            Run these on the new machine (with Scrapyard installed). The token works once, until{' '}
            <Time ms={made.expiresAt} />; it is not shown again.
          </p>
          <pre class="secret" data-enroll-commands>
            {commands}
          </pre>
          <button type="button" class="secondary" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy the commands'}
          </button>
        </div>
      )}
    </section>
  );
}
