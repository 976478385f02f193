/**
 * chrome.alarms in the host: named timers per app, fired to every page of the app listening to
 * onAlarm. Rules and texts from Chromium's alarms_api.cc and alarms_api_constants.cc: creating
 * an alarm replaces one of the same name (default name ""); a runner app is an unpacked app, so
 * delays and periods have Chrome's unpacked minimum of 1 second (kDevDelayMinimum; a packed MV2
 * app would get 1 minute), and Chrome's warning text is logged when it applies.
 *
 * Alarms outlive the run, as Chrome keeps them in the extension's state store
 * (alarm_manager.cc WriteToStorage / ReadFromStorage): every change is written to
 * `<data-dir>/alarms.json`, and the next run reads them back before its first alarms call is
 * answered and when its background page has loaded. One whose time passed while the app was not
 * running fires once, as soon as it is read; a repeating one then keeps its original rhythm
 * (Chrome's OnAlarm: the next time in line with the first, skipping the periods it missed).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CallError } from '../../call-error';
import type { AppState } from '../../app-state';
import type { NamespaceHandlers } from '../../dispatch';
import type { SocketEnv } from '../../socket-env';
import { servedApp, type ServedApps } from '../served-app';

/** Chrome's kDevDelayMinimum for unpacked apps: 1 second. */
export const MIN_DELAY_MS = 1000;
/** Node timers take at most a 32-bit delay; longer alarms re-arm until their time comes. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Per app: a hostile page cannot create timers without bound. Chrome has no such limit. */
export const MAX_ALARMS_PER_APP = 1000;

export interface Alarm {
  name: string;
  scheduledTime: number;
  periodInMinutes?: number;
}

interface Armed {
  alarm: Alarm;
  timer: NodeJS.Timeout;
}

/** Chrome's next time for a repeating alarm that fired at `now`: in line with the first, missed periods skipped. */
export function nextScheduledTime(scheduledTime: number, periodInMinutes: number, now: number): number {
  const period = periodInMinutes * 60_000;
  const transpired = Math.max(0, Math.floor((now - scheduledTime) / period));
  return scheduledTime + period * (transpired + 1);
}

/** The alarms a file of an earlier run holds; anything malformed is left out. */
function parseSaved(text: string): Alarm[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  const out: Alarm[] = [];
  for (const item of data.slice(0, MAX_ALARMS_PER_APP) as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { name, scheduledTime, periodInMinutes } = item as Record<string, unknown>;
    if (typeof name !== 'string' || typeof scheduledTime !== 'number' || !Number.isFinite(scheduledTime)) continue;
    if (periodInMinutes !== undefined && (typeof periodInMinutes !== 'number' || !(periodInMinutes >= MIN_DELAY_MS / 60_000))) continue;
    out.push(periodInMinutes === undefined ? { name, scheduledTime } : { name, scheduledTime, periodInMinutes });
  }
  return out;
}

function finiteNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CallError(`Invalid ${what}: expected a number`);
  return value;
}

export function createAlarms(env: Pick<SocketEnv, 'emit'>, apps: ServedApps, log: (line: string) => void) {
  const byApp = new Map<AppState, Map<string, Armed>>();
  /** Per app: the earlier run's alarms, read once (calls wait for it, as Chrome's RunWhenReady). */
  const restored = new Map<AppState, Promise<void>>();
  /** Per data directory: the file writes, one after another. */
  const writes = new Map<string, Promise<void>>();
  /** Per data directory: the state to write next, and whether a write is waiting to start. */
  const latest = new Map<string, string>();
  const queued = new Set<string>();
  let disposed = false;

  function tableNow(app: AppState): Map<string, Armed> {
    let t = byApp.get(app);
    if (t === undefined) {
      t = new Map();
      byApp.set(app, t);
    }
    return t;
  }

  const fileOf = (app: AppState): string | undefined => {
    const served = apps(app.name);
    return served === undefined ? undefined : path.join(served.dataDir, 'alarms.json');
  };

  /** Writes the app's alarms as they are now (temporary file, then rename). */
  function save(app: AppState): void {
    const file = fileOf(app);
    if (file === undefined || disposed) return;
    latest.set(file, JSON.stringify([...tableNow(app).values()].map((a) => a.alarm)));
    // A write already waiting takes the newest state: a burst of changes is one write.
    if (queued.has(file)) return;
    queued.add(file);
    const write = async (): Promise<void> => {
      queued.delete(file);
      const snapshot = latest.get(file) ?? '[]';
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(`${file}.tmp`, snapshot);
      await fs.rename(`${file}.tmp`, file);
    };
    const chained = (writes.get(file) ?? Promise.resolve()).then(write, write);
    writes.set(file, chained);
    void chained.catch((error: unknown) => log(`alarms: could not write ${file}: ${(error as Error)?.message}`));
  }

  /** Reads the earlier run's alarms once per app; those created meanwhile in this run win. */
  function restore(app: AppState): Promise<void> {
    let done = restored.get(app);
    if (done === undefined) {
      done = (async () => {
        const file = fileOf(app);
        if (file === undefined) return;
        const text = await fs.readFile(file, 'utf8').catch(() => undefined);
        if (text === undefined || disposed) return;
        const t = tableNow(app);
        for (const alarm of parseSaved(text)) if (!t.has(alarm.name) && t.size < MAX_ALARMS_PER_APP) arm(app, t, alarm);
      })();
      restored.set(app, done);
    }
    return done;
  }

  async function table(app: AppState): Promise<Map<string, Armed>> {
    servedApp(apps, app.name, 'alarms', 'alarms');
    await restore(app);
    return tableNow(app);
  }

  function arm(app: AppState, t: Map<string, Armed>, alarm: Alarm): void {
    const wait = Math.min(Math.max(0, alarm.scheduledTime - Date.now()), MAX_TIMER_MS);
    const armed: Armed = {
      alarm,
      timer: setTimeout(() => {
        if (t.get(alarm.name) !== armed) return;
        if (Date.now() < alarm.scheduledTime) return arm(app, t, alarm);
        const fired = { ...alarm };
        if (alarm.periodInMinutes !== undefined) {
          alarm.scheduledTime = nextScheduledTime(alarm.scheduledTime, alarm.periodInMinutes, Date.now());
          arm(app, t, alarm);
        } else {
          t.delete(alarm.name);
        }
        save(app);
        env.emit(app, 'alarms', 'onAlarm', { alarm: fired });
      }, wait),
    };
    t.set(alarm.name, armed);
  }

  function clear(t: Map<string, Armed>, name: string): boolean {
    const armed = t.get(name);
    if (armed === undefined) return false;
    clearTimeout(armed.timer);
    t.delete(name);
    return true;
  }

  const handlers: NamespaceHandlers<'alarms'> = {
    async create(scope, [nameArg, info]) {
      const t = await table(scope.app);
      const name = nameArg ?? '';
      if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new CallError('Invalid alarmInfo: expected an object');
      const i = info as Record<string, unknown>;
      for (const key of Object.keys(i))
        if (!['when', 'delayInMinutes', 'periodInMinutes'].includes(key)) throw new CallError(`Unexpected property: '${key}'.`);
      const when = finiteNumber(i.when, 'when');
      let delay = finiteNumber(i.delayInMinutes, 'delayInMinutes');
      let period = finiteNumber(i.periodInMinutes, 'periodInMinutes');
      if (when !== undefined && delay !== undefined) throw new CallError('Cannot set both when and delayInMinutes.');
      if (when === undefined && delay === undefined && period === undefined) {
        throw new CallError('Must set at least one of when, delayInMinutes, or periodInMinutes.');
      }
      const minMinutes = MIN_DELAY_MS / 60_000;
      const warn = (): void =>
        log(`Alarm delay is less than minimum of 1 minutes. In released .crx, alarm "${name}" will fire in approximately 1 minutes.`);
      if (delay !== undefined && delay < minMinutes) {
        if (delay < 1) warn();
        delay = minMinutes;
      } else if (delay !== undefined && delay < 1) warn();
      if (period !== undefined && period < minMinutes) period = minMinutes;
      const scheduledTime = when ?? Date.now() + (delay ?? period ?? 0) * 60_000;
      if (!t.has(name) && t.size >= MAX_ALARMS_PER_APP) throw new CallError(`Too many alarms (at most ${MAX_ALARMS_PER_APP} per app)`);
      clear(t, name);
      arm(scope.app, t, period === undefined ? { name, scheduledTime } : { name, scheduledTime, periodInMinutes: period });
      save(scope.app);
      return [];
    },
    async get(scope, [name]) {
      const armed = (await table(scope.app)).get(name ?? '');
      return [armed === undefined ? undefined : { ...armed.alarm }];
    },
    async getAll(scope) {
      return [[...(await table(scope.app)).values()].map((a) => ({ ...a.alarm }))];
    },
    async clear(scope, [name]) {
      const found = clear(await table(scope.app), name ?? '');
      if (found) save(scope.app);
      return [found];
    },
    async clearAll(scope) {
      const t = await table(scope.app);
      const had = t.size > 0;
      for (const name of [...t.keys()]) clear(t, name);
      if (had) save(scope.app);
      return [had];
    },
  };

  return {
    handlers,
    /** The app's background page has loaded (its onAlarm listeners are there): the earlier run's alarms come back. */
    launched(app: AppState): void {
      if (apps(app.name)?.permissions.has('alarms') === true) void restore(app);
    },
    /** The timers stop; the file keeps the alarms for the next run. */
    appEnded(app: AppState): void {
      restored.delete(app);
      const t = byApp.get(app);
      if (t === undefined) return;
      for (const name of [...t.keys()]) clear(t, name);
      byApp.delete(app);
    },
    dispose(): void {
      for (const app of [...byApp.keys()]) this.appEnded(app);
      disposed = true;
    },
    /** Resolves once every alarms write so far is on disk. */
    async flushed(): Promise<void> {
      await Promise.all([...writes.values()].map((w) => w.catch(() => undefined)));
    },
  };
}
