/**
 * The host's public option and handle types (`electron-chrome-sockets/main`).
 */
import type { LookupFunction } from 'node:net';
import type { SocketsManifest } from '../common/api-types';
import type { AppServices } from './dispatch';
import type { SocketEnv } from './socket-env';

export interface SocketsHostOptions {
  /** TLS for `chrome.sockets.tcp.secure`. `ca` adds trusted roots to Node's bundled ones. */
  tls?: { ca?: string | Buffer | Array<string | Buffer> };
  /** In-flight send bytes allowed per app (Chrome: 200 MiB). */
  writeQuota?: number;
  /**
   * Receive flow control per page context: bytes sent down but not yet acknowledged by the
   * page. Over `highWaterMark` the app's sockets stop reading; under `lowWaterMark` they resume.
   */
  flow?: { highWaterMark?: number; lowWaterMark?: number };
  /** A `dns.lookup`-compatible resolver (tests map names without touching /etc/hosts). */
  lookup?: LookupFunction;
  /** Where the host writes its log lines (dropped messages, refusals). Default: console.warn. */
  log?: (line: string) => void;
  /**
   * App services served on the same port and dispatch as the sockets (the Chrome App runner's
   * storage, alarms, …), created once with the host.
   */
  services?: (env: SocketEnv) => AppServices;
  /** Guards against hostile pages (defaults in the README's "Limits" table). */
  limits?: {
    /**
     * Calls a context may have unanswered at once before further calls are refused (default
     * 4096). Calls of an earlier page of the context still count until they settle; close,
     * disconnect, getInfo and getSockets are never refused.
     */
    maxPendingCalls?: number;
    /** Longest string accepted in any argument (default 64 Ki characters). */
    maxStringLength?: number;
    /**
     * Bytes of `tcp.send` a page may have answered by itself per connected socket (default
     * 256 KiB; 0 turns it off). Granted after the socket's first successful send and reserved
     * against the write quota while held; a send beyond it goes to the host and waits for the
     * write, as every send did before.
     */
    sendCredit?: number;
    /**
     * Sends a page context may have answered by itself whose bytes are not written yet, all its
     * sockets together (default 4096); past it its sends go to the host, as calls.
     */
    maxCreditedWrites?: number;
    /**
     * Milliseconds a tcp connection that disconnect() or close() ended may take to write the
     * bytes of sends already answered, before it is destroyed with what is left (default 30000).
     */
    lingerTimeout?: number;
    /**
     * Sockets an app may hold at once across tcp, tcpServer and udp, accepted ones included
     * (default 4096). Past it `create` fails and new connections to its servers are reset.
     */
    maxSocketsPerApp?: number;
    /**
     * Certificates the debugging window may trust for one app at run time
     * (`SocketsHost.addTrustedCertificate`; default 32).
     */
    maxTrustedPerApp?: number;
  };
}

/** The socket APIs besides chrome.sockets a page may be given (README: "Other socket APIs"). */
export type OtherSocketApi = 'mozTCPSocket' | 'direct' | 'w3c' | 'chrome.socket';
export const OTHER_SOCKET_APIS: readonly OtherSocketApi[] = ['mozTCPSocket', 'direct', 'w3c', 'chrome.socket'];

export interface AttachOptions {
  /** The app the context belongs to; sockets are owned by apps, not contexts. */
  app: string;
  /**
   * The app manifest's `"sockets"` section. Without it the context may do nothing that needs a
   * permission (connect, listen, bind, send, multicast).
   */
  sockets?: SocketsManifest;
  /**
   * The app's background context: when it ends, the app's non-persistent sockets close.
   * For an app that never attached one, they close when its last context ends.
   */
  background?: boolean;
  /** A human-readable name for the inspector, e.g. a window title or URL. */
  label?: string;
  /**
   * The other socket APIs this page may use besides chrome.sockets: `'mozTCPSocket'`
   * (`navigator.mozTCPSocket`), `'direct'` (Direct Sockets), `'w3c'` (the W3C 2013 draft's classes as `navigator.w3cSockets`), `'chrome.socket'` (legacy `chrome.socket`). Default none: the host refuses
   * their operations. The manifest `sockets` section governs them as it governs chrome.sockets.
   */
  apis?: readonly OtherSocketApi[];
  /**
   * The app's id as `chrome.runtime.id` shows it: 32 letters a–p (Chrome's format). Default:
   * derived from `app` with Chrome's algorithm (`chromeAppId(app)`), stable across runs.
   */
  appId?: string;
}

/** One attached page context. */
export interface ContextHandle {
  readonly id: number;
  readonly app: string;
  /** Ends the context as if its page went away; closes the port. Idempotent. */
  end(): void;
}
