/**
 * chrome.alarms in the host: named timers per app, fired to every page of the app listening to
 * onAlarm. Rules and texts from Chromium's alarms_api.cc and alarms_api_constants.cc: creating
 * an alarm replaces one of the same name (default name ""); a runner app is an unpacked app, so
 * delays and periods have Chrome's unpacked minimum of 1 second (kDevDelayMinimum; a packed MV2
 * app would get 1 minute), and Chrome's warning text is logged when it applies.
 */
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

function finiteNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CallError(`Invalid ${what}: expected a number`);
  return value;
}

export function createAlarms(env: Pick<SocketEnv, 'emit'>, apps: ServedApps, log: (line: string) => void) {
  const byApp = new Map<AppState, Map<string, Armed>>();

  function table(app: AppState): Map<string, Armed> {
    servedApp(apps, app.name, 'alarms', 'alarms');
    let t = byApp.get(app);
    if (t === undefined) {
      t = new Map();
      byApp.set(app, t);
    }
    return t;
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
          alarm.scheduledTime = Math.max(Date.now(), alarm.scheduledTime + alarm.periodInMinutes * 60_000);
          arm(app, t, alarm);
        } else {
          t.delete(alarm.name);
        }
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
    create(scope, [nameArg, info]) {
      const t = table(scope.app);
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
      return [];
    },
    get(scope, [name]) {
      const armed = table(scope.app).get(name ?? '');
      return [armed === undefined ? undefined : { ...armed.alarm }];
    },
    getAll(scope) {
      return [[...table(scope.app).values()].map((a) => ({ ...a.alarm }))];
    },
    clear(scope, [name]) {
      return [clear(table(scope.app), name ?? '')];
    },
    clearAll(scope) {
      const t = table(scope.app);
      const had = t.size > 0;
      for (const name of [...t.keys()]) clear(t, name);
      return [had];
    },
  };

  return {
    handlers,
    appEnded(app: AppState): void {
      const t = byApp.get(app);
      if (t === undefined) return;
      for (const name of [...t.keys()]) clear(t, name);
      byApp.delete(app);
    },
    dispose(): void {
      for (const app of [...byApp.keys()]) this.appEnded(app);
    },
  };
}
