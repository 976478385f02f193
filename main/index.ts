/** `electron-chrome-sockets/main`: the host that owns the sockets. */
export { DEFAULT_WRITE_QUOTA, type HostSnapshot, type ContextSnapshot } from './host';
/** The host with Electron's `attach` (the core in ./host serves any ordered port). */
export { ElectronSocketsHost as SocketsHost } from './electron/electron-host';
export { chromeAppId, isChromeAppId } from './app-id';
export type { SocketSnapshot, PauseReason } from './app-state';
export type { AttachOptions, ContextHandle, SocketsHostOptions } from './types';
export { SocketsPolicy, ALLOW_ALL_SOCKETS } from './permissions';
export { hostPortFromNodePort } from './node-port';
export type { HostPort } from '../common/port';
export type { SocketsManifest } from '../common/api-types';
export { attachWebContents, type AttachedWebContents, type ElectronGlueDeps } from './electron/attach-web-contents';
export { hostPortFromMessagePortMain } from './electron/message-port-main';
export {
  launchChromeApp,
  registerChromeAppScheme,
  DEFAULT_APP_SCHEME,
  type LaunchChromeAppOptions,
  type ChromeAppRun,
  type RunnerElectron,
} from './runner/electron-runner';
