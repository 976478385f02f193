/**
 * The one table of chrome.sockets methods and their argument shapes, written from Chromium's
 * IDL. The page facade validates calls against it (throwing Chrome's TypeError texts) and the
 * host validates every incoming call against it again before a handler runs.
 */

/** An argument or property shape, named as Chromium's bindings name them in error texts. */
export type Schema =
  | { readonly type: 'integer' }
  | { readonly type: 'boolean' }
  | { readonly type: 'string' }
  | { readonly type: 'binary' }
  | { readonly type: 'function' }
  /** Any structured-cloneable value (app services: storage items, messages); the handler checks it. */
  | { readonly type: 'any' }
  /** A string enum referenced by name, e.g. `sockets.tcp.DnsQueryType`. */
  | { readonly type: 'enum'; readonly ref: string; readonly values: readonly string[] }
  /** A dictionary referenced by name, e.g. `sockets.tcp.SocketProperties`. */
  | { readonly type: 'object'; readonly ref?: string; readonly properties: Readonly<Record<string, PropertySchema>> };

export type PropertySchema = Schema & { readonly optional?: boolean };

export interface ParamSpec {
  readonly name: string;
  readonly schema: Schema;
  readonly optional?: boolean;
}

export interface MethodSpec {
  /** Parameters before the callback. */
  readonly params: readonly ParamSpec[];
  /** Whether the IDL marks the trailing callback optional. */
  readonly callbackOptional: boolean;
}

export type Namespace = 'tcp' | 'tcpServer' | 'udp' | 'raw';
/** The chrome.sockets namespaces (the `raw` one serves the other socket APIs' facades). */
export const NAMESPACES: readonly Exclude<Namespace, 'raw'>[] = ['tcp', 'tcpServer', 'udp'];

const integer = { type: 'integer' } as const;
const boolean = { type: 'boolean' } as const;
const string = { type: 'string' } as const;
const binary = { type: 'binary' } as const;

const id = { name: 'socketId', schema: integer } as const;

function dnsQueryType(ns: Namespace) {
  return {
    name: 'dnsQueryType',
    optional: true,
    schema: { type: 'enum', ref: `sockets.${ns}.DnsQueryType`, values: ['any', 'ipv4', 'ipv6'] },
  } as const satisfies ParamSpec;
}

const optionalInteger = { type: 'integer', optional: true } as const;
const optionalBoolean = { type: 'boolean', optional: true } as const;
const optionalString = { type: 'string', optional: true } as const;

/** SocketProperties: persistent and name, plus bufferSize where the namespace has it (not tcpServer). */
function socketProperties<const Extra extends Readonly<Record<string, PropertySchema>>>(ns: Namespace, extra: Extra) {
  const properties = { persistent: optionalBoolean, name: optionalString, ...extra };
  return { type: 'object', ref: `sockets.${ns}.SocketProperties`, properties } as const;
}

/** A method entry; `const` keeps each parameter's literal shape, so handler argument types derive from it. */
function m<const P extends readonly ParamSpec[]>(
  params: P,
  callbackOptional = false,
): { readonly params: P; readonly callbackOptional: boolean } {
  return { params, callbackOptional };
}

/** The methods each namespace shares: create, update, setPaused, close, getInfo, getSockets. */
function common<const Extra extends Readonly<Record<string, PropertySchema>>>(ns: Namespace, extra: Extra) {
  const props = socketProperties(ns, extra);
  return {
    create: m([{ name: 'properties', schema: props, optional: true }]),
    update: m([id, { name: 'properties', schema: props }], true),
    setPaused: m([id, { name: 'paused', schema: boolean }], true),
    close: m([id], true),
    getInfo: m([id]),
    getSockets: m([]),
  };
}

const opt = <const S extends Schema>(schema: S): S & { readonly optional: true } => ({ ...schema, optional: true });
const dnsFamily = { type: 'enum', ref: 'raw.DnsQueryType', values: ['any', 'ipv4', 'ipv6'] } as const;

/**
 * The host operations behind mozTCPSocket, the W3C 2013 draft, Direct Sockets and legacy
 * chrome.socket (other-socket-apis.md §4.1). Their sockets are owned by the page context that
 * made them (closed when it ends), live in their own id space, and report to that context
 * only. What chrome.sockets lacks is first-class here: half-close (`tcpShutdown`, every raw
 * TCP socket is half-open capable), pull reads of at most n bytes (`read`, the same credit
 * that bounds push delivery), accepted sockets that read at once (`listen` with `pull: false`)
 * and writes answered when the OS has taken the bytes.
 */
const RAW_METHODS = {
  /** → `{socketId, localAddress, localPort, peerAddress, peerPort}` once connected. */
  tcpConnect: m([
    {
      name: 'options',
      schema: {
        type: 'object',
        ref: 'raw.TcpConnectOptions',
        properties: {
          host: string,
          port: integer,
          dnsQueryType: opt(dnsFamily),
          /** Reads only what `read` granted (Direct Sockets, chrome.socket); else reads at once. */
          pull: opt(boolean),
          /** TLS from the start (mozTCPSocket's useSecureTransport). */
          tls: opt(boolean),
          noDelay: opt(boolean),
          /** SO_KEEPALIVE with this idle time in ms. */
          keepAliveDelay: opt(integer),
          localAddress: opt(string),
          localPort: opt(integer),
        },
      },
    },
  ]),
  /** Resolves `[bytes]` when the OS has accepted every byte of `data` (not merely queued it). */
  tcpWrite: m([id, { name: 'data', schema: binary }]),
  /** Grants `bytes` more receive credit to a pull socket: it reads until that much went down. */
  read: m([id, { name: 'bytes', schema: integer }]),
  /** Push sockets: stops (true) or restarts (false) reading, as suspend/resume do. */
  setPaused: m([id, { name: 'paused', schema: boolean }]),
  /** Half-close: FIN after every queued write; the socket still receives. */
  tcpShutdown: m([id]),
  /** STARTTLS on the same id; writes made meanwhile go out encrypted after the handshake. */
  tcpStartTls: m([id, { name: 'options', optional: true, schema: { type: 'object', properties: { servername: opt(string) } } }]),
  tcpSetOptions: m([
    id,
    {
      name: 'options',
      schema: { type: 'object', properties: { noDelay: opt(boolean), keepAlive: opt(boolean), keepAliveDelay: opt(integer) } },
    },
  ]),
  /** → `{socketId, localAddress, localPort}`; accepted sockets arrive as `onAccept` events. */
  listen: m([
    {
      name: 'options',
      schema: {
        type: 'object',
        ref: 'raw.ListenOptions',
        properties: { host: string, port: integer, backlog: opt(integer), ipv6Only: opt(boolean), pull: opt(boolean) },
      },
    },
  ]),
  /** → `{socketId, localAddress, localPort, remoteAddress?, remotePort?}`. */
  udpOpen: m([
    {
      name: 'options',
      schema: {
        type: 'object',
        ref: 'raw.UdpOpenOptions',
        properties: {
          localAddress: opt(string),
          localPort: opt(integer),
          remoteAddress: opt(string),
          remotePort: opt(integer),
          dnsQueryType: opt(dnsFamily),
          reuseAddr: opt(boolean),
          ipv6Only: opt(boolean),
          loopback: opt(boolean),
          multicastTtl: opt(integer),
          broadcast: opt(boolean),
          recvBufferSize: opt(integer),
          sendBufferSize: opt(integer),
          pull: opt(boolean),
        },
      },
    },
  ]),
  /** Without address/port: to the connected peer. Resolves when handed to the OS. */
  udpSend: m([
    id,
    { name: 'data', schema: binary },
    { name: 'address', schema: string, optional: true },
    { name: 'port', schema: integer, optional: true },
  ]),
  udpMembership: m([
    id,
    { name: 'join', schema: boolean },
    { name: 'group', schema: string },
    { name: 'source', schema: string, optional: true },
  ]),
  udpSetOptions: m([
    id,
    {
      name: 'options',
      schema: { type: 'object', properties: { loopback: opt(boolean), multicastTtl: opt(integer), broadcast: opt(boolean) } },
    },
  ]),
  /** `graceful`: after every queued write (a FIN, then the close); else at once. */
  close: m([id, { name: 'graceful', schema: boolean, optional: true }]),
  getInfo: m([id]),
  /** os.networkInterfaces() as chrome.socket.getNetworkList's NetworkInterface list. */
  getNetworkList: m([]),
} as const satisfies Record<string, MethodSpec>;

export const METHODS = {
  tcp: {
    ...common('tcp', { bufferSize: optionalInteger }),
    setKeepAlive: m([id, { name: 'enable', schema: boolean }, { name: 'delay', schema: integer, optional: true }]),
    setNoDelay: m([id, { name: 'noDelay', schema: boolean }]),
    connect: m([id, { name: 'peerAddress', schema: string }, { name: 'peerPort', schema: integer }, dnsQueryType('tcp')]),
    disconnect: m([id], true),
    secure: m([
      id,
      {
        name: 'options',
        optional: true,
        schema: {
          type: 'object',
          ref: 'sockets.tcp.SecureOptions',
          properties: {
            tlsVersion: {
              type: 'object',
              ref: 'sockets.tcp.TLSVersionConstraints',
              optional: true,
              properties: { min: { type: 'string', optional: true }, max: { type: 'string', optional: true } },
            },
          },
        },
      },
    ]),
    send: m([id, { name: 'data', schema: binary }]),
  },
  tcpServer: {
    ...common('tcpServer', {}),
    listen: m([
      id,
      { name: 'address', schema: string },
      { name: 'port', schema: integer },
      { name: 'backlog', schema: integer, optional: true },
    ]),
    disconnect: m([id], true),
  },
  udp: {
    ...common('udp', { bufferSize: optionalInteger }),
    bind: m([id, { name: 'address', schema: string }, { name: 'port', schema: integer }]),
    send: m([
      id,
      { name: 'data', schema: binary },
      { name: 'address', schema: string },
      { name: 'port', schema: integer },
      dnsQueryType('udp'),
    ]),
    joinGroup: m([id, { name: 'address', schema: string }]),
    leaveGroup: m([id, { name: 'address', schema: string }]),
    setMulticastTimeToLive: m([id, { name: 'ttl', schema: integer }]),
    setMulticastLoopbackMode: m([id, { name: 'enabled', schema: boolean }]),
    getJoinedGroups: m([id]),
    setBroadcast: m([id, { name: 'enabled', schema: boolean }]),
  },
  raw: RAW_METHODS,
} as const satisfies Record<Namespace, Record<string, MethodSpec>>;

export type MethodName<N extends Namespace> = keyof (typeof METHODS)[N] & string;

/** The events of each namespace, in IDL order. */
export const EVENTS = {
  tcp: ['onReceive', 'onReceiveError'],
  tcpServer: ['onAccept', 'onAcceptError'],
  udp: ['onReceive', 'onReceiveError'],
  /** To the owning context only, never fanned out: data, peer FIN, error, close, accept, datagram, buffered amount. */
  raw: ['onData', 'onEnd', 'onError', 'onClose', 'onAccept', 'onMessage'],
} as const satisfies Record<Namespace, readonly string[]>;

export type EventName<N extends Namespace> = (typeof EVENTS)[N][number];

export function isNamespace(value: unknown): value is Namespace {
  return value === 'tcp' || value === 'tcpServer' || value === 'udp' || value === 'raw';
}

// ---- app services (the runner): same port, same dispatch as the sockets ---------------------

const any = { type: 'any' } as const;
const optionalAny = <const Name extends string>(name: Name) => ({ name, schema: any, optional: true }) as const;
const area = { name: 'areaName', schema: { type: 'enum', ref: 'storage.AreaName', values: ['local', 'sync'] } } as const;

/**
 * The app services a Chrome App runner serves over the sockets' port (main/app-services/).
 * Positional, as the page-side facades (preload/app-runtime/) send them after doing Chrome's
 * own argument checks; the host checks shapes again before a handler runs.
 */
export const SERVICE_METHODS = {
  /** chrome.storage.local / .sync: the area is the first argument. */
  storage: {
    get: m([area, optionalAny('keys')]),
    /** Items as UTF-8 JSON bytes: Chrome stores values as JSON, and bytes escape the string and depth bounds. */
    set: m([area, { name: 'items', schema: binary }]),
    remove: m([area, { name: 'keys', schema: any }]),
    clear: m([area]),
    getBytesInUse: m([area, optionalAny('keys')]),
  },
  alarms: {
    create: m([
      { name: 'name', schema: string, optional: true },
      { name: 'alarmInfo', schema: any },
    ]),
    get: m([{ name: 'name', schema: string, optional: true }]),
    getAll: m([]),
    clear: m([{ name: 'name', schema: string, optional: true }]),
    clearAll: m([]),
  },
  systemNetwork: {
    getNetworkInterfaces: m([]),
  },
  power: {
    requestKeepAwake: m([{ name: 'level', schema: { type: 'enum', ref: 'power.Level', values: ['system', 'display'] } }]),
    releaseKeepAwake: m([]),
  },
  /** chrome.runtime parts the host takes part in: launch reasons and messaging between pages. */
  runtime: {
    launchInfo: m([]),
    /** Messages and responses as UTF-8 JSON bytes (Chrome serializes them as JSON). */
    sendMessage: m([{ name: 'message', schema: binary }]),
    respond: m([
      { name: 'messageId', schema: integer },
      { name: 'responded', schema: boolean },
      { name: 'response', schema: binary, optional: true },
    ]),
    /** The message reached a page with no onMessage listener at that moment (Chrome's dispatch-time check). */
    unheard: m([{ name: 'messageId', schema: integer }]),
    /** Opens a long-lived port (runtime.connect); `portId` is the opener page's own number for it. */
    connect: m([
      { name: 'portId', schema: integer },
      { name: 'name', schema: string },
      { name: 'url', schema: string },
    ]),
    /** A page got onConnect for `portId`: `accepted` when it had onConnect listeners. */
    portOpened: m([
      { name: 'portId', schema: integer },
      { name: 'accepted', schema: boolean },
    ]),
    /** Port.postMessage, the message as UTF-8 JSON bytes. */
    postPortMessage: m([
      { name: 'portId', schema: integer },
      { name: 'message', schema: binary },
    ]),
    /** Port.disconnect. */
    disconnectPort: m([{ name: 'portId', schema: integer }]),
  },
} as const satisfies Record<string, Record<string, MethodSpec>>;

export type ServiceNamespace = keyof typeof SERVICE_METHODS;
export const SERVICE_NAMESPACES = Object.keys(SERVICE_METHODS) as ServiceNamespace[];

export const SERVICE_EVENTS = {
  storage: ['onChanged'],
  alarms: ['onAlarm'],
  systemNetwork: [],
  power: [],
  runtime: ['onMessage', 'onConnect', 'onPortMessage', 'onPortDisconnect'],
} as const satisfies Record<ServiceNamespace, readonly string[]>;

/** Every namespace a call or event may name on the port: the sockets and the app services. */
export type WireNamespace = Namespace | ServiceNamespace;

export function isServiceNamespace(value: unknown): value is ServiceNamespace {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SERVICE_METHODS, value);
}

export function isWireNamespace(value: unknown): value is WireNamespace {
  return isNamespace(value) || isServiceNamespace(value);
}

/** How Chrome names the namespace in texts: `sockets.tcp`, `storage`, `system.network`. */
export function qualifiedNamespace(ns: WireNamespace): string {
  if (isNamespace(ns)) return `sockets.${ns}`;
  return ns === 'systemNetwork' ? 'system.network' : ns;
}

/** The method's spec, or undefined for a name the namespace does not have. */
export function methodSpec(ns: WireNamespace, method: string): MethodSpec | undefined {
  const table = (isNamespace(ns) ? METHODS[ns] : SERVICE_METHODS[ns]) as Record<string, MethodSpec>;
  return Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
}

/** `"tcp.onReceive"`: the key a context uses to say it listens to an event. */
export function eventKey(ns: WireNamespace, event: string): string {
  return `${ns}.${event}`;
}

/** Every event key a context may listen to. */
export const ALL_EVENT_KEYS: readonly string[] = [
  ...NAMESPACES.flatMap((ns) => EVENTS[ns].map((ev) => eventKey(ns, ev))),
  ...SERVICE_NAMESPACES.flatMap((ns) => (SERVICE_EVENTS[ns] as readonly string[]).map((ev) => eventKey(ns, ev))),
];

// ---- handler argument types, derived from the tables ----------------------------------------

type Optional<T> = T extends { readonly optional: true } ? true : false;

/** What a value of this schema is once the host's check (common/signature.ts) let it through. */
export type SchemaValue<S> = S extends { readonly type: 'integer' }
  ? number
  : S extends { readonly type: 'boolean' }
    ? boolean
    : S extends { readonly type: 'string' }
      ? string
      : S extends { readonly type: 'binary' }
        ? ArrayBuffer | ArrayBufferView
        : S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
          ? V
          : S extends { readonly type: 'object'; readonly properties: infer P }
            ? ObjectValue<P>
            : unknown;

/** A dictionary: optional properties may be absent (null and undefined are dropped by the check). */
type ObjectValue<P> = {
  -readonly [K in keyof P as Optional<P[K]> extends true ? K : never]?: SchemaValue<P[K]>;
} & { -readonly [K in keyof P as Optional<P[K]> extends true ? never : K]: SchemaValue<P[K]> } extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

/** One value per parameter (before the callback); an omitted optional one is undefined. */
export type ParamValues<P extends readonly ParamSpec[]> = {
  -readonly [I in keyof P]: Optional<P[I]> extends true ? SchemaValue<P[I]['schema']> | undefined : SchemaValue<P[I]['schema']>;
};

/** Every method a call may name on the port, by namespace. */
export type WireMethods = typeof METHODS & typeof SERVICE_METHODS;
export type WireMethodName<N extends WireNamespace> = keyof WireMethods[N] & string;

/** The checked arguments a handler of `ns.method` receives: a tuple derived from the table. */
export type MethodArgs<N extends WireNamespace, M extends WireMethodName<N>> = WireMethods[N][M] extends {
  readonly params: infer P extends readonly ParamSpec[];
}
  ? ParamValues<P>
  : never;
