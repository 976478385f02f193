/**
 * The app services of the Chrome App runner, as one `AppServices` for `SocketsHostOptions.services`:
 * storage, alarms, system.network, power and runtime on the sockets' port and dispatch.
 */
import type { AppServices } from '../dispatch';
import type { SocketEnv } from '../socket-env';
import { createAlarms } from './alarms/alarms-handlers';
import { createPower, type KeepAwake } from './power/power-handlers';
import { createRuntime } from './runtime/runtime-handlers';
import type { ServedApps } from './served-app';
import { createStorage } from './storage/storage-handlers';
import { createSystemNetworkHandlers } from './system-network/system-network-handlers';

export type { ServedApp, ServedApps, LaunchInfo } from './served-app';
export type { KeepAwake } from './power/power-handlers';

export interface AppServicesOptions {
  /** The app the runner serves under a host app name, or undefined. */
  apps: ServedApps;
  /** Electron's powerSaveBlocker; without it chrome.power is a no-op. */
  keepAwake?: KeepAwake;
  /** Where warnings go (Chrome's alarm minimum warning). */
  log?: (line: string) => void;
  /** The clock of storage.sync's write-operation quotas (default Date.now; tests step it). */
  now?: () => number;
}

export interface RunnerServices extends AppServices {
  /** Resolves once every storage write so far is on disk. */
  flushed(): Promise<void>;
}

export function createAppServices(options: AppServicesOptions): (env: SocketEnv) => RunnerServices {
  return (env) => {
    const log = options.log ?? ((line: string) => env.log(line));
    const storage = createStorage(env, options.apps, options.now);
    const alarms = createAlarms(env, options.apps, log);
    const power = createPower(options.apps, options.keepAwake);
    const runtime = createRuntime(env, options.apps, (app) => alarms.launched(app));
    return {
      handlers: {
        storage: storage.handlers,
        alarms: alarms.handlers,
        systemNetwork: createSystemNetworkHandlers(options.apps),
        power: power.handlers,
        runtime: runtime.handlers,
      },
      contextEnded: (ctx) => runtime.contextEnded(ctx),
      appEnded(app) {
        alarms.appEnded(app);
        power.appEnded(app);
        runtime.appEnded(app);
      },
      async dispose() {
        alarms.dispose();
        power.dispose();
        await Promise.all([storage.flushed(), alarms.flushed()]);
      },
      flushed: async () => {
        await Promise.all([storage.flushed(), alarms.flushed()]);
      },
    };
  };
}
