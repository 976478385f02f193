/**
 * chrome.power: requestKeepAwake / releaseKeepAwake. In Electron the runner hands in
 * powerSaveBlocker (`system` → prevent-app-suspension, `display` → prevent-display-sleep); in a
 * browser there is nothing to hold and the calls succeed without effect (README).
 */
import type { AppState } from '../../app-state';
import type { NamespaceHandlers } from '../../dispatch';
import { servedApp, type ServedApps } from '../served-app';

/** What the runner provides to keep the machine awake. */
export interface KeepAwake {
  /** Starts holding the level; returns a handle for stop. */
  start(level: 'system' | 'display'): number;
  stop(handle: number): void;
}

export function createPower(apps: ServedApps, keepAwake: KeepAwake | undefined) {
  // Chrome keeps one level per app; a new request replaces the old one.
  const held = new Map<AppState, number>();

  function release(app: AppState): void {
    const handle = held.get(app);
    if (handle === undefined) return;
    held.delete(app);
    keepAwake?.stop(handle);
  }

  const handlers: NamespaceHandlers<'power'> = {
    requestKeepAwake(scope, [level]) {
      servedApp(apps, scope.app.name, 'power', 'power');
      release(scope.app);
      if (keepAwake !== undefined) held.set(scope.app, keepAwake.start(level));
      return [];
    },
    releaseKeepAwake(scope) {
      servedApp(apps, scope.app.name, 'power', 'power');
      release(scope.app);
      return [];
    },
  };
  return {
    handlers,
    appEnded: release,
    dispose(): void {
      for (const app of [...held.keys()]) release(app);
    },
  };
}
