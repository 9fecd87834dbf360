/** A section whose page comes in the next wave: it says what it will show. */
import { EmptyState } from '../../components/empty-state.js';
import type { Section } from '../../nav.js';

export function PlaceholderPage({ section }: { section: Section }) {
  return (
    <>
      <h1>{section.label}</h1>
      <EmptyState title={`The ${section.label} page is coming.`}>
        <p>It will show {section.coming}.</p>
        <p>
          Until then the REST API (<code>/api/v1</code>) and the CLI do it; see the README.
        </p>
      </EmptyState>
    </>
  );
}
