/**
 * The app's pages, by path. A page of the next wave adds its route here (and its folder in pages/); a section's
 * route is offered only when the user's grants reach it (nav.ts), and answered "not here" otherwise.
 */
import type { JSX } from 'preact';
import type { Action } from '@scrapyard/protocol/role-actions';
import { SECTIONS } from './nav.js';
import { AuditPage } from './pages/admin/audit-page.js';
import { AdminTokensPage } from './pages/admin/tokens-page.js';
import { UserPage } from './pages/admin/user-page.js';
import { UsersPage } from './pages/admin/users-page.js';
import { JobPage } from './pages/job/job-page.js';
import { JobsPage } from './pages/jobs/jobs-page.js';
import { SessionsPage } from './pages/me/sessions-page.js';
import { TokensPage } from './pages/me/tokens-page.js';
import { PlaceholderPage } from './pages/placeholder/placeholder-page.js';

export interface Route {
  pattern: string;
  /** What the user needs to see the page (none: any signed-in user). */
  needs?: Action;
  render(params: Record<string, string>, search: string): JSX.Element;
}

export const ROUTES: readonly Route[] = [
  { pattern: '/admin', needs: 'admin', render: () => <UsersPage /> },
  { pattern: '/admin/users/:id', needs: 'admin', render: (p) => <UserPage id={p.id ?? ''} /> },
  { pattern: '/admin/tokens', needs: 'admin', render: () => <AdminTokensPage /> },
  { pattern: '/admin/audit', needs: 'admin', render: (_, search) => <AuditPage search={search} /> },
  { pattern: '/jobs', needs: 'read', render: (_p, search) => <JobsPage search={search} /> },
  { pattern: '/jobs/:jobId', needs: 'read', render: (p, search) => <JobPage jobId={p['jobId']!} search={search} /> },
  ...SECTIONS.map((section) => ({
    pattern: section.path,
    needs: section.needs,
    render: () => <PlaceholderPage section={section} />,
  })),
  { pattern: '/me/sessions', render: () => <SessionsPage /> },
  { pattern: '/me/tokens', render: () => <TokensPage /> },
];
