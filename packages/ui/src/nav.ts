/**
 * The shell's sections and what each needs (pure): the nav lists only those the user's grants reach (routes.tsx
 * holds their pages).
 */
import type { Action } from '@scrapyard/protocol/role-actions';
import type { Can } from './session/can.js';

export interface Section {
  path: string;
  label: string;
  needs: Action;
}

export const SECTIONS: readonly Section[] = [
  {
    path: '/',
    label: 'Dashboard',
    needs: 'read',
  },
  {
    path: '/jobs',
    label: 'Jobs',
    needs: 'read',
  },
  {
    path: '/nodes',
    label: 'Nodes',
    needs: 'admin',
  },
  {
    path: '/projects',
    label: 'Projects',
    needs: 'read',
  },
  {
    path: '/schedules',
    label: 'Schedules',
    needs: 'read',
  },
  {
    path: '/alerts',
    label: 'Alerts',
    needs: 'read',
  },
  { path: '/admin', label: 'Admin', needs: 'admin' },
];

/** The sections a user reaches (any project counts: a project action is checked per project inside a page). */
export function sectionsFor(can: Can): Section[] {
  return SECTIONS.filter((s) => can(s.needs));
}
