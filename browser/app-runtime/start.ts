/**
 * The Chrome App runtime of one app page, in its main world, for both modes: installs
 * `chrome.*` synchronously (calls queue until the port is there), makes the background page
 * the owner of the app windows (fires onInstalled / onStartup / onLaunched after it loaded)
 * and reports a window page to its owner before the page's own scripts run. How the port
 * comes is the mode's: a WebSocket to the browser host (index.ts) or the MessagePort of the
 * Electron preload (electron-main-world.ts).
 */
import { createChromeSockets, portClientOf } from '../../preload/facade';
import type { QueuedPagePort } from '../../preload/electron/queued-port';
import type { AppConfig } from '../../preload/app-runtime/app-config';
import { createAppApis } from '../../preload/app-runtime/app-apis';
import { tokenFromUrl } from '../connect';
import { WindowManager } from './app-window';

interface Runner {
  readonly token: string | undefined;
  readonly manager: WindowManager;
  readonly background: Window;
}

export type RunnerWindow = Window & { __ecsRunner?: Runner; __ecsAppConfig?: AppConfig; chrome?: Record<string, unknown> };

const TOKEN_KEY = 'electron-chrome-sockets.token';

/** The runner of the page that opened this one (a popup's opener, a frame's parent), if it is the app's. */
function ownerRunner(self: RunnerWindow): Runner | undefined {
  for (const candidate of [self.opener, self.parent !== self ? self.parent : null] as Array<RunnerWindow | null>) {
    try {
      if (candidate?.__ecsRunner !== undefined) return candidate.__ecsRunner;
    } catch {
      // Another origin: not the app's.
    }
  }
  return undefined;
}

/** How a page gets its port to the host: `port.connect(…)` once it is open. */
export interface RuntimeConnector {
  /** Whether a token is needed (browser mode: the launch URL's `#token=`). */
  readonly needsToken: boolean;
  connect(port: QueuedPagePort, role: 'background' | 'window', token: string | undefined): void;
}

export function startAppRuntime(self: RunnerWindow, config: AppConfig, port: QueuedPagePort, connector: RuntimeConnector): void {
  const isBackground = self.location.pathname === config.backgroundPath && ownerRunner(self) === undefined;
  const sockets = createChromeSockets(port);
  const client = portClientOf(sockets);

  let runner: Runner | undefined;
  if (isBackground) {
    const token = tokenFromUrl(self.location.href) ?? self.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
    if (token !== undefined) self.sessionStorage.setItem(TOKEN_KEY, token);
    runner = { token, manager: new WindowManager(self, client.callWithLastError), background: self };
  } else {
    runner = ownerRunner(self);
  }
  if (runner !== undefined) self.__ecsRunner = runner;

  const background = runner?.background;
  const apis = createAppApis(sockets, config, {
    url: self.location.href,
    origin: self.location.origin,
    backgroundPage: () => background ?? null,
    reload: () => background?.location.reload(),
    platform: `${self.navigator.platform} ${self.navigator.userAgent}`,
  });
  const chrome = apis.chrome;
  chrome.app.window = runner?.manager.api(self) ??
    // A page opened on its own (not by the app): Chrome would not show it outside the app either.
    {
      create: () => {
        throw new Error('This page was not opened by its app; open the URL the runner printed.');
      },
      current: () => null,
      get: () => null,
      getAll: () => [],
    };
  // Augment Chromium's own window.chrome (loadTimes, csi …) rather than replace it.
  const existing = (self.chrome ??= {});
  for (const [key, value] of Object.entries(chrome)) existing[key] = value;

  if (connector.needsToken && runner?.token === undefined) {
    console.error('electron-chrome-sockets: no token: open the URL the runner printed (it ends in #token=…).');
  } else {
    connector.connect(port, isBackground ? 'background' : 'window', runner?.token);
  }

  if (isBackground) {
    const launched = async (): Promise<void> => {
      const info = await apis
        .launchInfo()
        .catch(() => ({ first: false }) as { first: boolean; installReason?: string; previousVersion?: string });
      if (info.first) {
        if (info.installReason !== undefined) {
          apis.fire.installed(
            info.previousVersion === undefined
              ? { reason: info.installReason }
              : { reason: info.installReason, previousVersion: info.previousVersion },
          );
        } else apis.fire.startup();
      }
      apis.fire.launched({ isKioskSession: false, isPublicSession: false, source: 'command_line' });
    };
    self.addEventListener('load', () => void launched());
    self.addEventListener('pagehide', () => {
      apis.fire.suspend();
      runner?.manager.closeAll();
    });
  } else {
    runner?.manager.windowLoaded(self);
  }
}
