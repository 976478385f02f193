/**
 * CPU time of one thread, from Linux's /proc (Node 20 has no per-thread cpuUsage): how a limit is
 * argued on 2 cores, as CPU milliseconds per MiB on each thread. Clock ticks are 10 ms, so only
 * runs of a second or more give useful figures. Elsewhere than Linux every reading is NaN.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import * as os from 'node:os';

/** The cores this process may run on, for the ceilings below. */
export const CORES = os.availableParallelism();

/** The calling thread's id (works in a worker too: /proc/thread-self is per thread). */
export function currentThreadId(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return NaN;
  }
}

/** User + system CPU milliseconds the thread `tid` of this process has used so far. */
export function threadCpuMs(tid: number): number {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the parenthesised name; utime and stime are the 14th and 15th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Minor page faults the thread `tid` of this process has taken so far (a fresh page touched for
 * the first time, e.g. a new read buffer): the part of a thread's CPU per MiB that depends on
 * where its memory comes from rather than on the work. NaN where unknown.
 */
export function threadMinorFaults(tid: number): number {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // minflt is the 10th field of the line.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return NaN;
  }
}

/** User + system CPU milliseconds the process `pid` (all its threads) has used so far; NaN where unknown. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** CPU milliseconds one unit of work (a MiB, a connection, a datagram) cost each part of a side. */
export interface CpuPerUnit {
  host: number;
  page: number;
  /** Every thread of the host's process (host, page, V8's helpers). */
  process: number;
  /** The load peer's process. */
  peer: number;
}

/**
 * The most units per second a side that spends `cost` can reach on `cores` cores: no thread
 * past one core, and the process and the load peer together past all of them. Divided by the
 * rate raw Node reached in the same pair, it is the ceiling of the pair's ratio that these CPU
 * costs leave on this machine (an upper bound: it ignores waiting and contention).
 */
export function cpuBoundRate(cost: CpuPerUnit, cores: number): number {
  return Math.min((cores * 1000) / (cost.process + cost.peer), 1000 / cost.host, 1000 / cost.page);
}

/**
 * Starts counting what the host thread `hostTid`, the page thread `pageTid`, this whole process
 * and the load peer `peerPid` spend; the function it returns gives each one's CPU milliseconds
 * since, divided by `units` (NaN for a part that cannot be read, such as a side with no page).
 */
export function cpuMeter(hostTid: number, pageTid: number, peerPid: number | undefined): (units: number) => CpuPerUnit {
  const host0 = threadCpuMs(hostTid);
  const page0 = threadCpuMs(pageTid);
  const process0 = process.cpuUsage();
  const peer0 = processCpuMs(peerPid);
  return (units) => {
    const used = process.cpuUsage(process0);
    return {
      host: (threadCpuMs(hostTid) - host0) / units,
      page: (threadCpuMs(pageTid) - page0) / units,
      process: (used.user + used.system) / 1000 / units,
      peer: (processCpuMs(peerPid) - peer0) / units,
    };
  };
}
