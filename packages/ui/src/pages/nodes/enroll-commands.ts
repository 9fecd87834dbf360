/**
 * What to run on a new machine to enroll it (pure), as `scrapyard-master node enroll` prints it: register with the
 * single-use token, then start the agent. `masterUrl` is the address this browser reaches the master at.
 */
export function enrollCommands(masterUrl: string, token: string, nodeId: string | null): string {
  const id = nodeId === null ? '' : ` --node-id ${nodeId}`;
  return `scrapyard-agent register --url ${masterUrl} --token ${token}${id}\nscrapyard-agent`;
}
