/** A project's versions, newest first: when uploaded, size, spiders; delete (confirmed) for `delete`. */
import type { ProjectInfo } from '@scrapyard/protocol';
import { ConfirmButton } from '../../components/confirm-button.js';
import { Time } from '../../components/time.js';
import { formatBytes } from '../../format/numbers.js';
import { useSession } from '../../session/session.js';

export function VersionsTable(props: { project: ProjectInfo; onDelete: (version: string) => Promise<void> }) {
  const { can } = useSession();
  const deletable = can('delete', props.project.name);
  const versions = [...props.project.versions].reverse();
  const latest = versions[0]?.name;
  return (
    <div class="table-wrap">
      <table aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Uploaded</th>
            <th>Size</th>
            <th>Spiders</th>
            {deletable && (
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.name} data-version={v.name}>
              <td>
                <code>{v.name}</code> {v.name === latest && <span class="badge">latest</span>}
              </td>
              <td>
                <Time ms={v.uploadedAt} />
              </td>
              <td>{formatBytes(v.size)}</td>
              <td class="wrap">
                {v.spiders === null ? <span class="muted">not listed yet</span> : v.spiders.join(', ') || '–'}
              </td>
              {deletable && (
                <td>
                  <ConfirmButton onConfirm={() => props.onDelete(v.name)} confirmText={`Delete ${v.name}?`}>
                    Delete
                  </ConfirmButton>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
