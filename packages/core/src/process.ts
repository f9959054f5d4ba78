/**
 * Whether a process with this pid is running (Node only). Leftovers and locks carry their writer's pid: a dead
 * writer's are safe to remove or take over, a live one's are not.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as { code?: string }).code === 'EPERM';
  }
}
