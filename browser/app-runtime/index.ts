/**
 * The runtime script the Chrome App runner puts first in every app page (browser mode): the app
 * runtime (start.ts) on a WebSocket to the browser host. Bundled to dist/browser/app-runtime.js;
 * the runner serves it after a line that sets `self.__ecsAppConfig`.
 */
import { createQueuedPagePort } from '../../preload/electron/queued-port';
import { openBrowserHostPort } from '../connect';
import { startAppRuntime, type RunnerWindow } from './start';

const self_ = self as unknown as RunnerWindow;
const config = self_.__ecsAppConfig;
if (config === undefined) throw new Error('electron-chrome-sockets: app config missing (the runner serves it with this script)');
startAppRuntime(self_, config, createQueuedPagePort(), {
  needsToken: true,
  connect(port, role, token) {
    openBrowserHostPort(self_.location.href, token ?? '', { query: { role } }).then(
      (p) => port.connect(p),
      (err: unknown) => console.error(String(err)),
    );
  },
});
