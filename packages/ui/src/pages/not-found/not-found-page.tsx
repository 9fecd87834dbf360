import { EmptyState } from '../../components/empty-state.js';
import { Link } from '../../components/link.js';

/** A path the UI has no page for, or one the user's grants don't reach. */
export function NotFoundPage({ path }: { path: string }) {
  return (
    <>
      <h1>Not here</h1>
      <EmptyState title={`Nothing to show at ${path}.`}>
        <p>
          The page does not exist or your role does not reach it. <Link to="/">Go to the dashboard</Link>.
        </p>
      </EmptyState>
    </>
  );
}
