/**
 * The app's pages, by path. A page of the next wave adds its route here (and its folder in pages/); a section's
 * route is offered only when the user's grants reach it (nav.ts), and answered "not here" otherwise.
 */
import type { JSX } from 'preact';
import type { Action } from '@scrapyard/protocol/role-actions';
import { SECTIONS } from './nav.js';
import { SessionsPage } from './pages/me/sessions-page.js';
import { TokensPage } from './pages/me/tokens-page.js';
import { PlaceholderPage } from './pages/placeholder/placeholder-page.js';
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
  { pattern: '/projects', needs: 'read', render: () => <ProjectsPage /> },
  { pattern: '/projects/:project', needs: 'read', render: (p) => <ProjectPage project={p.project!} /> },
  {
    pattern: '/projects/:project/spiders/:spider',
    needs: 'read',
    render: (p) => <SpiderPage project={p.project!} spider={p.spider!} />,
  },
  ...SECTIONS.map((section) => ({
    pattern: section.path,
    needs: section.needs,
    render: () => <PlaceholderPage section={section} />,
  })),
  { pattern: '/me/sessions', render: () => <SessionsPage /> },
  { pattern: '/me/tokens', render: () => <TokensPage /> },
];
