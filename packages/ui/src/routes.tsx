/**
 * The app's pages, by path: a page adds its route here (and its folder in pages/); a section's
 * route is offered only when the user's grants reach it (nav.ts), and answered "not here" otherwise.
 */
import type { JSX } from 'preact';
import type { Action } from '@scrapyard/protocol/role-actions';
import { DashboardPage } from './pages/dashboard/dashboard-page.js';
import { NodePage } from './pages/nodes/node-page.js';
import { NodesPage } from './pages/nodes/nodes-page.js';
import { AuditPage } from './pages/admin/audit-page.js';
import { AdminTokensPage } from './pages/admin/tokens-page.js';
import { UserPage } from './pages/admin/user-page.js';
import { UsersPage } from './pages/admin/users-page.js';
import { JobPage } from './pages/job/job-page.js';
import { LogPage } from './pages/job/log-viewer/log-page.js';
import { JobsPage } from './pages/jobs/jobs-page.js';
import { SessionsPage } from './pages/me/sessions-page.js';
import { TokensPage } from './pages/me/tokens-page.js';
import { AlertsPage } from './pages/alerts/alerts-page.js';
import { ScheduleNewPage } from './pages/schedules/schedule-new-page.js';
import { SchedulePage } from './pages/schedules/schedule-page.js';
import { SchedulesPage } from './pages/schedules/schedules-page.js';
import { ProjectPage } from './pages/projects/project-page.js';
import { ProjectsPage } from './pages/projects/projects-page.js';
import { SpiderPage } from './pages/spider/spider-page.js';

export interface Route {
  pattern: string;
  /** What the user needs to see the page (none: any signed-in user). */
  needs?: Action;
  render(params: Record<string, string>, search: string): JSX.Element;
}

export const ROUTES: readonly Route[] = [
  { pattern: '/', needs: 'read', render: () => <DashboardPage /> },
  { pattern: '/nodes', needs: 'admin', render: () => <NodesPage /> },
  { pattern: '/nodes/:id', needs: 'admin', render: (p, search) => <NodePage id={p.id ?? ''} search={search} /> },
  { pattern: '/admin', needs: 'admin', render: () => <UsersPage /> },
  { pattern: '/admin/users/:id', needs: 'admin', render: (p) => <UserPage id={p.id ?? ''} /> },
  { pattern: '/admin/tokens', needs: 'admin', render: () => <AdminTokensPage /> },
  { pattern: '/admin/audit', needs: 'admin', render: (_, search) => <AuditPage search={search} /> },
  { pattern: '/jobs', needs: 'read', render: (_p, search) => <JobsPage search={search} /> },
  { pattern: '/jobs/:jobId', needs: 'read', render: (p, search) => <JobPage jobId={p['jobId']!} search={search} /> },
  { pattern: '/schedules', needs: 'read', render: () => <SchedulesPage /> },
  { pattern: '/schedules/new', needs: 'configure', render: () => <ScheduleNewPage /> },
  { pattern: '/schedules/:id', needs: 'read', render: (p) => <SchedulePage key={p.id} id={p.id!} /> },
  { pattern: '/alerts', needs: 'read', render: () => <AlertsPage /> },
  { pattern: '/projects', needs: 'read', render: () => <ProjectsPage /> },
  { pattern: '/projects/:project', needs: 'read', render: (p) => <ProjectPage project={p.project!} /> },
  {
    pattern: '/projects/:project/spiders/:spider',
    needs: 'read',
    render: (p) => <SpiderPage project={p.project!} spider={p.spider!} />,
  },
  { pattern: '/me/sessions', render: () => <SessionsPage /> },
  { pattern: '/me/tokens', render: () => <TokensPage /> },
  { pattern: '/jobs/:jobId/log', needs: 'read', render: (p, search) => <LogPage jobId={p.jobId!} search={search} /> },
];
