/**
 * The shell's sections and what each needs (pure): the nav lists only those the user's grants reach. A page of the
 * next wave replaces its placeholder in pages/; its entry here stays.
 */
import type { Action } from '@scrapyard/protocol/role-actions';
import type { Can } from './session/can.js';

export interface Section {
  path: string;
  label: string;
  needs: Action;
  /** What the page will show, for its empty state until it exists. */
  coming: string;
}

export const SECTIONS: readonly Section[] = [
  {
    path: '/',
    label: 'Dashboard',
    needs: 'read',
    coming: 'nodes online, slots, pending, running and failed jobs, alerts firing, node health',
  },
  {
    path: '/jobs',
    label: 'Jobs',
    needs: 'read',
    coming: 'every job of the cluster with filters, scheduling, cancelling, and each job with its live log and stats',
  },
  {
    path: '/nodes',
    label: 'Nodes',
    needs: 'admin',
    coming: 'nodes with their slots, load and version, host charts, cordon, revoke, rotate, and how to enroll one',
  },
  {
    path: '/projects',
    label: 'Projects',
    needs: 'read',
    coming: 'projects with their versions (upload an egg), spiders, policies and webhooks',
  },
  {
    path: '/schedules',
    label: 'Schedules',
    needs: 'read',
    coming: 'schedules with their next fires, pause, resume, run now, and the history of each fire',
  },
  {
    path: '/alerts',
    label: 'Alerts',
    needs: 'read',
    coming: 'alert rules, channels, firing and resolved alerts, and the delivery log',
  },
  { path: '/admin', label: 'Admin', needs: 'admin', coming: 'users, roles, tokens and the audit log' },
];

/** The sections a user reaches (any project counts: a project action is checked per project inside a page). */
export function sectionsFor(can: Can): Section[] {
  return SECTIONS.filter((s) => can(s.needs));
}
