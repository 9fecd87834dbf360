/** Whether the user may change what is about a project, or (null) about every project or the nodes: a `*` grant. */
import { projectsFor } from '@scrapyard/protocol/role-actions';
import { useSession } from '../../session/session.js';

export function useMayConfigure(): (project: string | null) => boolean {
  const { who, can } = useSession();
  const all = who ? projectsFor(who.user.grants, 'configure') === '*' : false;
  return (project) => (project === null ? all : can('configure', project));
}
