/**
 * The one description of the chrome.sockets API is `types/chrome-sockets.d.ts`, written from
 * Chromium's IDL: every function with its callback and promise forms, every dictionary, every
 * event. The other places that describe parts of it are checked against it here, at compile time
 * (`tsc -p types/check`, part of `npm run build`), so none can drift:
 *
 *  - `common/api-types.ts`: the dictionaries as modules import them (host, facade, window, tests)
 *    must be the very same types;
 *  - `common/methods.ts`: every public function has an entry in the method table the facade
 *    and the host validate calls against;
 *  - `renderer/lib/chrome-types.ts`: the slice of the API the debugging window calls must be one
 *    the real API satisfies;
 *  - `test/tcp-spec/helpers.ts`: the spec suite's `TcpApi` lists exactly the functions and events
 *    of `chrome.sockets.tcp`.
 */
/// <reference path="../chrome-sockets.d.ts" />
import type * as api from '../../common/api-types';
import type { METHODS } from '../../common/methods';
import type { SocketsChrome } from '../../renderer/lib/chrome-types';
import type { TcpApi as SpecSuiteTcpApi } from '../../test/tcp/helpers';

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`; the error names the check that failed. */
function agree<T extends true>(_check: T): void {}

type Tcp = typeof chrome.sockets.tcp;
type TcpServer = typeof chrome.sockets.tcpServer;
type Udp = typeof chrome.sockets.udp;

// ---- common/api-types.ts: the same dictionaries --------------------------------------------------
agree<Equal<api.DnsQueryType, chrome.sockets.tcp.DnsQueryType>>(true);
agree<Equal<api.DnsQueryType, chrome.sockets.udp.DnsQueryType>>(true);

agree<Equal<api.tcp.SocketProperties, chrome.sockets.tcp.SocketProperties>>(true);
agree<Equal<api.tcp.CreateInfo, chrome.sockets.tcp.CreateInfo>>(true);
agree<Equal<api.tcp.SendInfo, chrome.sockets.tcp.SendInfo>>(true);
agree<Equal<api.tcp.TLSVersionConstraints, chrome.sockets.tcp.TLSVersionConstraints>>(true);
agree<Equal<api.tcp.SecureOptions, chrome.sockets.tcp.SecureOptions>>(true);
agree<Equal<api.tcp.SocketInfo, chrome.sockets.tcp.SocketInfo>>(true);
agree<Equal<api.tcp.ReceiveInfo, chrome.sockets.tcp.ReceiveInfo>>(true);
agree<Equal<api.tcp.ReceiveErrorInfo, chrome.sockets.tcp.ReceiveErrorInfo>>(true);

agree<Equal<api.tcpServer.SocketProperties, chrome.sockets.tcpServer.SocketProperties>>(true);
agree<Equal<api.tcpServer.CreateInfo, chrome.sockets.tcpServer.CreateInfo>>(true);
agree<Equal<api.tcpServer.SocketInfo, chrome.sockets.tcpServer.SocketInfo>>(true);
agree<Equal<api.tcpServer.AcceptInfo, chrome.sockets.tcpServer.AcceptInfo>>(true);
agree<Equal<api.tcpServer.AcceptErrorInfo, chrome.sockets.tcpServer.AcceptErrorInfo>>(true);

agree<Equal<api.udp.SocketProperties, chrome.sockets.udp.SocketProperties>>(true);
agree<Equal<api.udp.CreateInfo, chrome.sockets.udp.CreateInfo>>(true);
agree<Equal<api.udp.SendInfo, chrome.sockets.udp.SendInfo>>(true);
agree<Equal<api.udp.SocketInfo, chrome.sockets.udp.SocketInfo>>(true);
agree<Equal<api.udp.ReceiveInfo, chrome.sockets.udp.ReceiveInfo>>(true);
agree<Equal<api.udp.ReceiveErrorInfo, chrome.sockets.udp.ReceiveErrorInfo>>(true);

// ---- common/methods.ts: a table entry for every public function -----------------------------------
type Functions<N> = { [K in keyof N]: N[K] extends (...args: never[]) => unknown ? K : never }[keyof N];
type Events<N> = Exclude<keyof N, Functions<N>>;
agree<Equal<Exclude<Functions<Tcp>, keyof (typeof METHODS)['tcp']>, never>>(true);
agree<Equal<Exclude<Functions<TcpServer>, keyof (typeof METHODS)['tcpServer']>, never>>(true);
agree<Equal<Exclude<Functions<Udp>, keyof (typeof METHODS)['udp']>, never>>(true);

// ---- renderer/lib/chrome-types.ts: the window's slice is one the real API satisfies ---------------
agree<typeof chrome.sockets extends SocketsChrome['sockets'] ? true : false>(true);
agree<typeof chrome.runtime extends SocketsChrome['runtime'] ? true : false>(true);
// …and it names no function or event the API does not have.
agree<Equal<Exclude<keyof SocketsChrome['sockets']['tcp'], keyof Tcp>, never>>(true);
agree<Equal<Exclude<keyof SocketsChrome['sockets']['tcpServer'], keyof TcpServer>, never>>(true);
agree<Equal<Exclude<keyof SocketsChrome['sockets']['udp'], keyof Udp>, never>>(true);

// ---- test/tcp-spec/helpers.ts: the spec suite's TcpApi has exactly tcp's functions and events -----
agree<Equal<keyof SpecSuiteTcpApi, keyof Tcp>>(true);
agree<Equal<Events<Tcp>, 'onReceive' | 'onReceiveError'>>(true);
