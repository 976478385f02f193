/**
 * Child processes a test starts, each the leader of its own process group, so teardown ends
 * whatever it started in turn (a build, the browser host) whether the test passed, failed or
 * timed out. Suites call {@link stopGroup} from `afterEach`, not from the test body: a test that
 * times out never reaches its own `finally`.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { until } from './wait';

/** `spawn` in a process group of its own (`detached`), for {@link stopGroup}. */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
}

/** True while any process of the group led by `pid` is alive (zombies included). */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Ends the whole process group of `child`: SIGTERM, then SIGKILL for whatever still runs after
 * `graceMs` (a teardown deadline, not a check), and resolves once no process of the group is left.
 */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  signalGroup(pid, 'SIGTERM');
  try {
    await until(() => !groupAlive(pid), `process group ${pid} to end on SIGTERM`, graceMs);
  } catch {
    signalGroup(pid, 'SIGKILL');
    await until(() => !groupAlive(pid), `process group ${pid} to end on SIGKILL`);
  }
}
