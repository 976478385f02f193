/**
 * The window's own sockets: creates and drives them through the public chrome.sockets API, keeps
 * one Conversation per socket, and turns every failed call and error event into an inline log
 * line with its net::ERR_ name. No DOM here; views read the state and repaint when told.
 */
import type { DnsQueryType, tcp, tcpServer, udp } from '../../common/api-types';
import { netErrorMessage } from '../../common/net-errors';
import { invoke, type Outcome, type SocketsChrome } from './chrome-types';
import { Conversation } from './conversation';
import { formatEndpoint } from './format';
import { RESPONDER_LIMITS, type Responder } from './responders';

export type Kind = 'tcp' | 'tcpServer' | 'udp';

/** How a socket came to be in the list. */
export type Origin = 'client' | 'accepted' | 'server' | 'udp' | 'adopted';

/** The window's view of where a socket is; getInfo is the truth, this adds what it cannot say. */
export type Phase = 'created' | 'connecting' | 'securing' | 'connected' | 'disconnected' | 'listening' | 'bound' | 'closed';

export type AnyInfo = tcp.SocketInfo | tcpServer.SocketInfo | udp.SocketInfo;

export interface SocketEntry {
  readonly key: string;
  readonly kind: Kind;
  readonly id: number;
  readonly origin: Origin;
  readonly createdAt: number;
  /** The tcpServer that accepted this tcp socket. */
  readonly acceptedBy?: number;
  phase: Phase;
  /** Last getInfo answer; kept after close so the view can still say what the socket was. */
  info?: AnyInfo;
  /** Set when the socket went through secure() (Chrome then drops name and bufferSize). */
  secure: boolean;
  /** tcp: the net error of a secure() that failed (the socket is gone; the view says why). */
  secureError?: number;
  conversation: Conversation;
  /** tcp client: where it last connected, for Reconnect. */
  target?: { host: string; port: number; dnsQueryType?: DnsQueryType };
  /** tcpServer: where it last listened, for Listen again; and the sockets it accepted. */
  listenAt?: { address: string; port: number; backlog?: number };
  accepted: number[];
  /** tcpServer: resume accepted sockets at once (Chrome creates them paused). */
  autoResume: boolean;
  /** udp: joined multicast groups, as getJoinedGroups reported them. */
  groups: string[];
  /** Last keep-alive / no-delay the user applied (Chrome has no getter for either). */
  keepAlive?: { enable: boolean; delay: number };
  noDelay?: boolean;
  broadcast?: boolean;
  /** tcp: Chrome's paused flag when connect() was called; secure() only works when it was set. */
  pausedAtConnect?: boolean;
  /** tcp: the last connection ended by the peer (-100 not caused by this window). */
  peerClosed?: boolean;
  /** tcp: the last connected endpoints getInfo reported (kept after disconnect, for exports). */
  lastEndpoints?: { local: { address: string; port: number }; peer: { address: string; port: number } };
  /** Set while this window's own disconnect()/close() runs (its -100 is not the peer's). */
  closingLocally?: boolean;
  /** udp: where the last bind was attempted, so a failed bind can be retried from the view. */
  bindAt?: { address: string; port: number };
  /** Match-and-reply rules (lib/responders.ts), at most RESPONDER_LIMITS.perSocket. */
  responders?: Responder[];
  /** Bumped on any change other than traffic (which bumps conversation.version). */
  version: number;
}

/**
 * Whether secure() can work on this socket now, and if not, why (Chrome destroys a socket whose
 * secure() fails past the argument checks, so the window offers it only when it can succeed).
 */
export function secureAvailability(entry: SocketEntry): { ok: true } | { ok: false; reason: string } {
  if (entry.kind !== 'tcp') return { ok: false, reason: 'secure() is for TCP client sockets' };
  if (entry.acceptedBy !== undefined) return { ok: false, reason: 'Chrome supports secure() only on client sockets, not accepted ones' };
  if (entry.secure) return { ok: false, reason: 'already secure: secure() works once per connection' };
  if (entry.phase === 'closed') return { ok: false, reason: 'the socket is closed' };
  const t = entry.info as tcp.SocketInfo | undefined;
  if (entry.phase !== 'connected' || t?.connected !== true) return { ok: false, reason: 'connect first (paused before connect)' };
  if (!entry.pausedAtConnect || t.paused !== true)
    return {
      ok: false,
      reason:
        'Chrome needs the socket paused before connect (no read in flight); otherwise secure() fails and destroys it. Pause, disconnect, reconnect, then secure().',
    };
  return { ok: true };
}

/** Chrome's ERR_CONNECTION_CLOSED: the peer closed (FIN or RST); not a fault of this socket. */
export const PEER_CLOSED = -100;

/** Reads the phase afresh (TypeScript narrows it across awaits otherwise). */
function isClosed(entry: SocketEntry): boolean {
  return entry.phase === 'closed';
}

export function entryKey(kind: Kind, id: number): string {
  return `${kind}:${id}`;
}

export const KIND_LABEL: Readonly<Record<Kind, string>> = { tcp: 'TCP', tcpServer: 'Server', udp: 'UDP' };

/** One line naming a socket: `tcp 3 "probe" 10.0.0.2:51544 → 10.0.0.1:80`. */
export function describeEntry(entry: SocketEntry): string {
  const info = entry.info;
  const parts = [entry.kind, String(entry.id)];
  if (info?.name) parts.push(JSON.stringify(info.name));
  const local = formatEndpoint(info?.localAddress, info?.localPort);
  if (entry.kind === 'tcp') {
    const t = info as tcp.SocketInfo | undefined;
    const peer =
      t?.peerAddress !== undefined
        ? formatEndpoint(t.peerAddress, t.peerPort)
        : entry.target
          ? formatEndpoint(entry.target.host, entry.target.port)
          : '–';
    parts.push(`${local} → ${peer}`);
  } else {
    parts.push(local);
  }
  return parts.join(' ');
}

/** `net::ERR_CONNECTION_REFUSED (-102)` when a code is known, else Chrome's message as is. */
export function errorText(message: string | undefined, code: number | undefined): string {
  if (code !== undefined && code < 0) {
    const name = netErrorMessage(code);
    return message && message !== name ? `${message} (${name}, ${code})` : `${name} (${code})`;
  }
  return message ?? 'failed';
}

export interface TcpClientOptions {
  host: string;
  port: number;
  dnsQueryType?: DnsQueryType;
  name?: string;
  bufferSize?: number;
  persistent?: boolean;
  tls?: { min?: string; max?: string };
}

export interface TcpServerOptions {
  address: string;
  port: number;
  backlog?: number;
  name?: string;
  persistent?: boolean;
}

export interface UdpOptions {
  address: string;
  port: number;
  name?: string;
  bufferSize?: number;
  persistent?: boolean;
  broadcast?: boolean;
  /** Must be set before bind (Chrome: -23 afterwards). */
  multicastTtl?: number;
  multicastLoopback?: boolean;
}

export interface SendTarget {
  address: string;
  port: number;
  dnsQueryType?: DnsQueryType;
}

/** The result of an action for the view: ok, or the error line already logged. */
export type ActionResult = { ok: true } | { ok: false; message: string };

const OK: ActionResult = { ok: true };

export class Workbench {
  readonly entries = new Map<string, SocketEntry>();
  /** Bumped when sockets are added or removed (the list's shape changes). */
  listVersion = 0;
  private readonly api: SocketsChrome['sockets'];
  private readonly detachers: (() => void)[] = [];

  /** `changed` is called after every state change; the app coalesces repaints. */
  constructor(
    readonly chrome: SocketsChrome,
    private readonly changed: (entry?: SocketEntry) => void,
  ) {
    this.api = chrome.sockets;
    this.listen();
  }

  /** Removes the window's event listeners. Sockets stay open (they belong to the app). */
  dispose(): void {
    for (const detach of this.detachers.splice(0)) detach();
  }

  list(): SocketEntry[] {
    return [...this.entries.values()];
  }

  get(kind: Kind, id: number): SocketEntry | undefined {
    return this.entries.get(entryKey(kind, id));
  }

  // ---- events ----------------------------------------------------------------------------------

  private listen(): void {
    const { tcp: t, tcpServer: s, udp: u } = this.api;
    // Registered before any socket exists so not one event is missed.
    const onTcpReceive = (info: tcp.ReceiveInfo) => {
      const entry = this.ensure('tcp', info.socketId, 'adopted');
      const bytes = new Uint8Array(info.data);
      const now = Date.now();
      const rx = entry.conversation.addRx(bytes, now);
      this.mirrorToServer(entry, 'rx', bytes, now, rx.offset);
      this.changed(entry);
      if (entry.responders?.length) this.respond(entry, bytes);
    };
    const onTcpReceiveError = (info: tcp.ReceiveErrorInfo) => {
      const entry = this.ensure('tcp', info.socketId, 'adopted');
      if (info.resultCode === PEER_CLOSED) {
        // A peer close is the normal end of a conversation: shown, not counted as an error.
        const who = entry.closingLocally ? 'closed by this window (disconnect/close)' : 'closed by peer';
        entry.peerClosed = !entry.closingLocally;
        entry.conversation.addNote(
          `${who}: onReceiveError ${errorText(undefined, info.resultCode)}; Chrome paused the socket`,
          Date.now(),
          info.resultCode,
        );
      } else {
        entry.conversation.addError(
          `onReceiveError ${errorText(undefined, info.resultCode)}; Chrome paused the socket`,
          Date.now(),
          info.resultCode,
        );
      }
      if (entry.phase !== 'closed') entry.phase = 'disconnected';
      this.touch(entry);
      void this.refresh(entry);
    };
    const onAccept = (info: tcpServer.AcceptInfo) => {
      const server = this.ensure('tcpServer', info.socketId, 'adopted');
      const client = this.ensure('tcp', info.clientSocketId, 'accepted', info.socketId);
      client.phase = 'connected';
      server.accepted.push(info.clientSocketId);
      this.touch(server);
      void this.afterAccept(server, client);
    };
    const onAcceptError = (info: tcpServer.AcceptErrorInfo) => {
      const server = this.ensure('tcpServer', info.socketId, 'adopted');
      server.conversation.addError(
        `onAcceptError ${errorText(undefined, info.resultCode)}; Chrome paused the server (disconnect and listen again to resume accepting)`,
        Date.now(),
        info.resultCode,
      );
      this.touch(server);
      void this.refresh(server);
    };
    const onUdpReceive = (info: udp.ReceiveInfo) => {
      const entry = this.ensure('udp', info.socketId, 'adopted');
      const bytes = new Uint8Array(info.data);
      entry.conversation.addRx(bytes, Date.now(), formatEndpoint(info.remoteAddress, info.remotePort));
      this.changed(entry);
      if (entry.responders?.length) this.respond(entry, bytes, { address: info.remoteAddress, port: info.remotePort });
    };
    const onUdpReceiveError = (info: udp.ReceiveErrorInfo) => {
      const entry = this.ensure('udp', info.socketId, 'adopted');
      const size = (entry.info as udp.SocketInfo | undefined)?.bufferSize;
      const hint =
        info.resultCode === -142
          ? ` (a datagram larger than bufferSize${size ? ` ${size} B` : ''} was dropped: raise bufferSize and resume)`
          : '';
      entry.conversation.addError(
        `onReceiveError ${errorText(undefined, info.resultCode)}; Chrome paused the socket${hint}`,
        Date.now(),
        info.resultCode,
      );
      this.touch(entry);
      void this.refresh(entry);
    };
    t.onReceive.addListener(onTcpReceive);
    t.onReceiveError.addListener(onTcpReceiveError);
    s.onAccept.addListener(onAccept);
    s.onAcceptError.addListener(onAcceptError);
    u.onReceive.addListener(onUdpReceive);
    u.onReceiveError.addListener(onUdpReceiveError);
    this.detachers.push(
      () => t.onReceive.removeListener(onTcpReceive),
      () => t.onReceiveError.removeListener(onTcpReceiveError),
      () => s.onAccept.removeListener(onAccept),
      () => s.onAcceptError.removeListener(onAcceptError),
      () => u.onReceive.removeListener(onUdpReceive),
      () => u.onReceiveError.removeListener(onUdpReceiveError),
    );
  }

  private async afterAccept(server: SocketEntry, client: SocketEntry): Promise<void> {
    // getInfo while the socket is still paused (Chrome creates accepted sockets paused): the
    // notes name the peer, and come before any of its data in the server's merged log.
    await this.refresh(client);
    const t = client.info as tcp.SocketInfo | undefined;
    const peer = t?.peerAddress !== undefined ? ` from ${formatEndpoint(t.peerAddress, t.peerPort)}` : '';
    server.conversation.addNote(`onAccept: tcp socket ${client.id}${peer}`, Date.now());
    client.conversation.addNote(`accepted by server ${server.id}${peer}`, Date.now());
    this.touch(server);
    // The window resumes accepted sockets unless told not to.
    if (server.autoResume) await this.setPaused(client, false);
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  private ensure(kind: Kind, id: number, origin: Origin, acceptedBy?: number): SocketEntry {
    const key = entryKey(kind, id);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        key,
        kind,
        id,
        origin,
        acceptedBy,
        createdAt: Date.now(),
        phase: 'created',
        secure: false,
        conversation: new Conversation(),
        accepted: [],
        autoResume: true,
        groups: [],
        version: 0,
      };
      this.entries.set(key, entry);
      this.listVersion++;
      if (origin === 'adopted') void this.refresh(entry);
    }
    return entry;
  }

  /**
   * A server's view shows one merged log of all its connections: each accepted socket's traffic
   * is also logged there, labelled with the connection (`#5 127.0.0.1:40312`) and its own stream
   * offset. The server's counters then sum its connections.
   */
  private mirrorToServer(client: SocketEntry, dir: 'rx' | 'tx', bytes: Uint8Array, time: number, offset: number | undefined): void {
    if (client.acceptedBy === undefined) return;
    const server = this.get('tcpServer', client.acceptedBy);
    if (!server) return;
    const t = client.info as tcp.SocketInfo | undefined;
    const peer = `#${client.id}${t?.peerAddress !== undefined ? ` ${formatEndpoint(t.peerAddress, t.peerPort)}` : ''}`;
    if (dir === 'rx') server.conversation.addRx(bytes, time, peer, offset);
    else server.conversation.addTx(bytes, time, peer, offset);
    this.changed(server);
  }

  /** Forgets every closed socket's entry ("Remove closed"). */
  removeClosed(): number {
    let n = 0;
    for (const entry of this.list()) {
      if (entry.phase !== 'closed') continue;
      this.entries.delete(entry.key);
      n++;
    }
    if (n) {
      this.listVersion++;
      this.changed();
    }
    return n;
  }

  private touch(entry: SocketEntry): void {
    entry.version++;
    this.changed(entry);
  }

  private note(entry: SocketEntry, text: string): void {
    entry.conversation.addNote(text, Date.now());
    this.touch(entry);
  }

  /** Logs a failed call inline and returns it as an ActionResult. */
  private fail(entry: SocketEntry, op: string, outcome: Outcome<unknown>): ActionResult {
    const v = outcome.value;
    const code =
      typeof v === 'number'
        ? v
        : typeof v === 'object' && v !== null && typeof (v as { resultCode?: unknown }).resultCode === 'number'
          ? (v as { resultCode: number }).resultCode
          : undefined;
    const message = `${op} failed: ${errorText(outcome.error, code)}`;
    entry.conversation.addError(message, Date.now(), code);
    if (outcome.error === 'Socket not found') this.markClosed(entry);
    this.touch(entry);
    return { ok: false, message };
  }

  /** True when the call failed (lastError set or a non-zero result code). */
  private failed(outcome: Outcome<unknown>): boolean {
    if (outcome.error !== undefined) return true;
    return typeof outcome.value === 'number' && outcome.value !== 0;
  }

  private markClosed(entry: SocketEntry): void {
    if (entry.phase === 'closed') return;
    entry.phase = 'closed';
    this.listVersion++;
  }

  /** Re-reads getInfo (and joined groups for UDP). A `Socket not found` marks the entry closed. */
  async refresh(entry: SocketEntry): Promise<void> {
    if (entry.phase === 'closed') return;
    const api = this.api[entry.kind] as { getInfo(id: number, cb: (info: AnyInfo) => void): void };
    const r = await invoke<AnyInfo>(this.chrome, (cb) => api.getInfo(entry.id, cb));
    // Closed while the answer was on its way: the answer is stale.
    if (isClosed(entry)) return;
    if (r.error !== undefined || !r.value) {
      if (r.error === 'Socket not found') {
        this.markClosed(entry);
        entry.conversation.addNote('socket is gone (getInfo: Socket not found)', Date.now());
      }
    } else {
      entry.info = r.value;
      if (entry.kind === 'tcp') {
        const t = r.value as tcp.SocketInfo;
        if (t.peerAddress !== undefined && t.localAddress !== undefined)
          entry.lastEndpoints = {
            local: { address: t.localAddress, port: t.localPort ?? 0 },
            peer: { address: t.peerAddress, port: t.peerPort ?? 0 },
          };
        // A getInfo answered before a peer close (-100) must not undo the close when its answer
        // arrives after the close's event.
        if (t.connected && entry.phase !== 'securing' && !entry.peerClosed) entry.phase = 'connected';
        if (!t.connected && entry.phase === 'connected') entry.phase = 'disconnected';
      } else if (entry.kind === 'udp' && r.value.localPort !== undefined) {
        entry.phase = 'bound';
      } else if (entry.kind === 'tcpServer' && r.value.localPort !== undefined && entry.phase === 'created') {
        entry.phase = 'listening';
      }
    }
    if (entry.kind === 'udp' && !isClosed(entry)) {
      const g = await invoke<string[]>(this.chrome, (cb) => this.api.udp.getJoinedGroups(entry.id, cb));
      if (!g.error && g.value) entry.groups = g.value;
    }
    this.touch(entry);
  }

  async refreshAll(): Promise<void> {
    await Promise.all(
      this.list()
        .filter((e) => e.phase !== 'closed')
        .map((e) => this.refresh(e)),
    );
  }

  /** Picks up sockets the app already has (persistent ones survive a reload of the window). */
  async adoptExisting(): Promise<number> {
    let found = 0;
    for (const kind of ['tcpServer', 'tcp', 'udp'] as const) {
      const api = this.api[kind] as { getSockets(cb: (infos: AnyInfo[]) => void): void };
      const r = await invoke<AnyInfo[]>(this.chrome, (cb) => api.getSockets(cb));
      for (const info of r.value ?? []) {
        if (this.entries.has(entryKey(kind, info.socketId))) continue;
        const entry = this.ensure(kind, info.socketId, 'adopted');
        entry.info = info;
        entry.conversation.addNote('found with getSockets() (created before this window opened)', Date.now());
        found++;
      }
    }
    return found;
  }

  /** Forgets a closed socket's entry. */
  remove(entry: SocketEntry): void {
    this.entries.delete(entry.key);
    this.listVersion++;
    this.changed();
  }

  // ---- creation --------------------------------------------------------------------------------

  async createTcpClient(o: TcpClientOptions): Promise<SocketEntry | ActionResult> {
    const props: tcp.SocketProperties = {};
    if (o.name) props.name = o.name;
    if (o.bufferSize !== undefined) props.bufferSize = o.bufferSize;
    if (o.persistent) props.persistent = true;
    const r = await invoke<tcp.CreateInfo>(this.chrome, (cb) => this.api.tcp.create(props, cb));
    if (!r.value) return { ok: false, message: `tcp.create failed: ${r.error ?? 'no socket'}` };
    const entry = this.ensure('tcp', r.value.socketId, 'client');
    this.note(entry, `created (tcp.create ${JSON.stringify(props)})`);
    void this.connect(entry, { host: o.host, port: o.port, dnsQueryType: o.dnsQueryType }, o.tls);
    return entry;
  }

  /**
   * Connects (or reconnects) a tcp socket. With `tls`, follows the only order Chrome accepts:
   * the socket is paused before connect so no read is in flight when secure() runs, then resumed.
   */
  async connect(
    entry: SocketEntry,
    target: NonNullable<SocketEntry['target']>,
    tls?: { min?: string; max?: string },
  ): Promise<ActionResult> {
    entry.target = target;
    const where = formatEndpoint(target.host, target.port);
    if (tls) {
      const p = await invoke<void>(this.chrome, (cb) => this.api.tcp.setPaused(entry.id, true, cb));
      if (this.failed(p)) return this.fail(entry, 'setPaused(true) before TLS', p);
      entry.pausedAtConnect = true;
    } else {
      // Whether secure() can work later depends on the paused flag at connect (spec §3.5).
      const before = await invoke<tcp.SocketInfo>(this.chrome, (cb) => this.api.tcp.getInfo(entry.id, cb));
      entry.pausedAtConnect = before.value?.paused === true;
    }
    entry.phase = 'connecting';
    entry.peerClosed = false;
    this.note(
      entry,
      `connecting to ${where}${target.dnsQueryType ? ` (dnsQueryType ${target.dnsQueryType})` : ''}${tls ? ', paused for TLS' : ''}`,
    );
    const c = await invoke<number>(this.chrome, (cb) => this.api.tcp.connect(entry.id, target.host, target.port, target.dnsQueryType, cb));
    if (this.failed(c)) {
      if (entry.phase === 'connecting') entry.phase = 'disconnected';
      const res = this.fail(entry, `connect ${where}`, c);
      await this.refresh(entry);
      return res;
    }
    // Logged when the callback fires, before any data (Chrome delivers onReceive after it).
    this.note(entry, `connected to ${where}`);
    // Fresh getInfo before the phase changes (as for listen and bind): whoever sees 'connected'
    // may read the ports.
    await this.refresh(entry);
    if (entry.phase === 'connecting')
      entry.phase = (entry.info as tcp.SocketInfo | undefined)?.connected === false ? 'disconnected' : 'connected';
    if (!tls && entry.info?.paused) {
      // Chrome keeps the paused flag across disconnect and reconnect (spec §3.3); say so, since
      // otherwise a reconnected socket looks dead.
      this.note(entry, 'still paused (Chrome keeps the flag across reconnect): resume to receive');
    }
    if (!tls) return OK;
    return this.secure(entry, tls, true);
  }

  /** secure() a connected tcp socket; with `resume`, un-pause afterwards (the TLS connect path). */
  async secure(entry: SocketEntry, tls: { min?: string; max?: string }, resume: boolean): Promise<ActionResult> {
    const tlsVersion: tcp.TLSVersionConstraints = {};
    if (tls.min) tlsVersion.min = tls.min;
    if (tls.max) tlsVersion.max = tls.max;
    const options: tcp.SecureOptions | undefined = tls.min || tls.max ? { tlsVersion } : undefined;
    entry.phase = 'securing';
    this.note(entry, `securing (TLS${tls.min ? ` min ${tls.min}` : ''}${tls.max ? ` max ${tls.max}` : ''})`);
    const s = await invoke<number>(this.chrome, (cb) => this.api.tcp.secure(entry.id, options, cb));
    if (this.failed(s)) {
      // Chrome destroys the socket when secure() fails past its argument checks.
      if (typeof s.value === 'number') entry.secureError = s.value;
      const res = this.fail(entry, 'secure', s);
      entry.phase = 'connected';
      await this.refresh(entry);
      return res;
    }
    entry.secure = true;
    entry.phase = 'connected';
    this.note(entry, 'TLS established (Chrome drops name and bufferSize on secure)');
    if (resume) await this.setPaused(entry, false);
    else await this.refresh(entry);
    return OK;
  }

  async createTcpServer(o: TcpServerOptions): Promise<SocketEntry | ActionResult> {
    const props: tcpServer.SocketProperties = {};
    if (o.name) props.name = o.name;
    if (o.persistent) props.persistent = true;
    const r = await invoke<tcpServer.CreateInfo>(this.chrome, (cb) => this.api.tcpServer.create(props, cb));
    if (!r.value) return { ok: false, message: `tcpServer.create failed: ${r.error ?? 'no socket'}` };
    const entry = this.ensure('tcpServer', r.value.socketId, 'server');
    this.note(entry, `created (tcpServer.create ${JSON.stringify(props)})`);
    void this.listenServer(entry, { address: o.address, port: o.port, backlog: o.backlog });
    return entry;
  }

  async listenServer(entry: SocketEntry, at: NonNullable<SocketEntry['listenAt']>): Promise<ActionResult> {
    entry.listenAt = at;
    const where = formatEndpoint(at.address, at.port);
    const r = await invoke<number>(this.chrome, (cb) => this.api.tcpServer.listen(entry.id, at.address, at.port, at.backlog, cb));
    if (this.failed(r)) return this.fail(entry, `listen ${where}`, r);
    // Fresh getInfo first: whoever sees the new phase may read the port Chrome picked.
    await this.refresh(entry);
    entry.phase = 'listening';
    this.note(entry, `listening on ${formatEndpoint(entry.info?.localAddress, entry.info?.localPort)}`);
    return OK;
  }

  async createUdp(o: UdpOptions): Promise<SocketEntry | ActionResult> {
    const props: udp.SocketProperties = {};
    if (o.name) props.name = o.name;
    if (o.bufferSize !== undefined) props.bufferSize = o.bufferSize;
    if (o.persistent) props.persistent = true;
    const r = await invoke<udp.CreateInfo>(this.chrome, (cb) => this.api.udp.create(props, cb));
    if (!r.value) return { ok: false, message: `udp.create failed: ${r.error ?? 'no socket'}` };
    const entry = this.ensure('udp', r.value.socketId, 'udp');
    this.note(entry, `created (udp.create ${JSON.stringify(props)})`);
    void (async () => {
      // Multicast options are consumed at bind; Chrome refuses them afterwards (-23).
      if (o.multicastTtl !== undefined) {
        const ttl = o.multicastTtl;
        const t = await invoke<number>(this.chrome, (cb) => this.api.udp.setMulticastTimeToLive(entry.id, ttl, cb));
        if (this.failed(t)) this.fail(entry, `setMulticastTimeToLive ${ttl}`, t);
      }
      if (o.multicastLoopback !== undefined) {
        const on = o.multicastLoopback;
        const l = await invoke<number>(this.chrome, (cb) => this.api.udp.setMulticastLoopbackMode(entry.id, on, cb));
        if (this.failed(l)) this.fail(entry, `setMulticastLoopbackMode ${on}`, l);
      }
      const bound = await this.bind(entry, o.address, o.port);
      if (bound.ok && o.broadcast) await this.setBroadcast(entry, true);
    })();
    return entry;
  }

  async bind(entry: SocketEntry, address: string, port: number): Promise<ActionResult> {
    entry.bindAt = { address, port };
    const where = formatEndpoint(address, port);
    const r = await invoke<number>(this.chrome, (cb) => this.api.udp.bind(entry.id, address, port, cb));
    if (this.failed(r)) return this.fail(entry, `bind ${where}`, r);
    // Fresh getInfo first: whoever sees the new phase may read the port Chrome picked.
    await this.refresh(entry);
    entry.phase = 'bound';
    this.note(entry, `bound to ${formatEndpoint(entry.info?.localAddress, entry.info?.localPort)}`);
    return OK;
  }

  // ---- per-socket actions ----------------------------------------------------------------------

  async setPaused(entry: SocketEntry, paused: boolean): Promise<ActionResult> {
    const api = this.api[entry.kind] as { setPaused(id: number, p: boolean, cb: () => void): void };
    const r = await invoke<void>(this.chrome, (cb) => api.setPaused(entry.id, paused, cb));
    if (this.failed(r)) return this.fail(entry, `setPaused(${paused})`, r);
    this.note(entry, paused ? 'paused' : 'resumed');
    await this.refresh(entry);
    return OK;
  }

  async setKeepAlive(entry: SocketEntry, enable: boolean, delaySeconds: number): Promise<ActionResult> {
    const r = await invoke<number>(this.chrome, (cb) => this.api.tcp.setKeepAlive(entry.id, enable, delaySeconds, cb));
    if (this.failed(r)) return this.fail(entry, `setKeepAlive(${enable}, ${delaySeconds} s)`, r);
    entry.keepAlive = { enable, delay: delaySeconds };
    this.note(entry, enable ? `keep-alive on, delay ${delaySeconds} s` : 'keep-alive off');
    return OK;
  }

  async setNoDelay(entry: SocketEntry, noDelay: boolean): Promise<ActionResult> {
    const r = await invoke<number>(this.chrome, (cb) => this.api.tcp.setNoDelay(entry.id, noDelay, cb));
    if (this.failed(r)) return this.fail(entry, `setNoDelay(${noDelay})`, r);
    entry.noDelay = noDelay;
    this.note(entry, noDelay ? 'no-delay on (Nagle off)' : 'no-delay off (Nagle on)');
    return OK;
  }

  async update(entry: SocketEntry, props: { name?: string; bufferSize?: number; persistent?: boolean }): Promise<ActionResult> {
    const clean: Record<string, unknown> = {};
    if (props.name !== undefined) clean.name = props.name;
    if (props.persistent !== undefined) clean.persistent = props.persistent;
    if (props.bufferSize !== undefined && entry.kind !== 'tcpServer') clean.bufferSize = props.bufferSize;
    const api = this.api[entry.kind] as { update(id: number, p: object, cb: () => void): void };
    const r = await invoke<void>(this.chrome, (cb) => api.update(entry.id, clean, cb));
    if (this.failed(r)) return this.fail(entry, 'update', r);
    this.note(entry, `updated ${JSON.stringify(clean)}`);
    await this.refresh(entry);
    return OK;
  }

  async disconnect(entry: SocketEntry): Promise<ActionResult> {
    const api = this.api[entry.kind as 'tcp' | 'tcpServer'];
    entry.closingLocally = true;
    const r = await invoke<void>(this.chrome, (cb) => api.disconnect(entry.id, cb)).finally(() => (entry.closingLocally = false));
    if (this.failed(r)) return this.fail(entry, 'disconnect', r);
    entry.phase = 'disconnected';
    this.note(
      entry,
      entry.kind === 'tcpServer'
        ? 'stopped listening (disconnect; the id stays valid)'
        : 'disconnected (the id stays valid; reconnect to reuse it)',
    );
    await this.refresh(entry);
    return OK;
  }

  async close(entry: SocketEntry): Promise<ActionResult> {
    const api = this.api[entry.kind] as { close(id: number, cb: () => void): void };
    entry.closingLocally = true;
    const r = await invoke<void>(this.chrome, (cb) => api.close(entry.id, cb)).finally(() => (entry.closingLocally = false));
    if (this.failed(r)) return this.fail(entry, 'close', r);
    this.markClosed(entry);
    this.note(entry, 'closed');
    return OK;
  }

  /** Sends one payload; TCP ignores `to`. Resolves once Chrome's send callback ran. */
  /** Adds a responder to a tcp or udp socket; false when it already has the most it may. */
  addResponder(entry: SocketEntry, r: Responder): boolean {
    const list = (entry.responders ??= []);
    if (list.length >= RESPONDER_LIMITS.perSocket) return false;
    list.push(r);
    this.note(
      entry,
      `responder #${r.id} added: ${r.match} ${JSON.stringify(r.pattern)} → ${JSON.stringify(r.replyText)} (at most ${r.limit} replies)`,
    );
    this.touch(entry);
    return true;
  }

  removeResponder(entry: SocketEntry, id: number): void {
    entry.responders = entry.responders?.filter((r) => r.id !== id);
    this.touch(entry);
  }

  /** Received data: every armed responder that matches replies once (to the sender, for UDP). */
  private respond(entry: SocketEntry, bytes: Uint8Array, from?: SendTarget): void {
    for (const r of entry.responders ?? []) {
      if (r.fired >= r.limit || !r.test(bytes)) continue;
      r.fired++;
      this.note(entry, `responder #${r.id} matched: replying ${r.reply.byteLength} B (${r.fired}/${r.limit})`);
      void this.send(entry, r.reply, from);
    }
    this.touch(entry);
  }

  async send(entry: SocketEntry, bytes: Uint8Array, to?: SendTarget): Promise<ActionResult> {
    if (entry.kind === 'tcpServer') return this.sendToAccepted(entry, bytes);
    // An exact copy: the caller keeps its bytes for the log, a carrier may detach what it is
    // given, and a view's .slice() is not a copy everywhere (Node's Buffer shares its pool).
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    const data = copy.buffer;
    const when = Date.now();
    if (entry.kind === 'udp') {
      if (!to) return { ok: false, message: 'UDP needs a destination address and port' };
      const r = await invoke<udp.SendInfo>(this.chrome, (cb) =>
        this.api.udp.send(entry.id, data, to.address, to.port, to.dnsQueryType, cb),
      );
      if (this.failed(r) || r.value?.resultCode !== 0) return this.fail(entry, `send to ${formatEndpoint(to.address, to.port)}`, r);
      entry.conversation.addTx(bytes, when, formatEndpoint(to.address, to.port));
    } else {
      const r = await invoke<tcp.SendInfo>(this.chrome, (cb) => this.api.tcp.send(entry.id, data, cb));
      if (this.failed(r) || r.value?.resultCode !== 0) return this.fail(entry, 'send', r);
      const tx = entry.conversation.addTx(bytes, when);
      this.mirrorToServer(entry, 'tx', bytes, when, tx.offset);
    }
    this.changed(entry);
    return OK;
  }

  /**
   * A server cannot send; this sends to every open connection it accepted (each logs its own
   * copy), like a terminal tool's "send to all clients".
   */
  private async sendToAccepted(server: SocketEntry, bytes: Uint8Array): Promise<ActionResult> {
    const clients = server.accepted.map((id) => this.get('tcp', id)).filter((c): c is SocketEntry => !!c && c.phase === 'connected');
    if (clients.length === 0) return { ok: false, message: 'No open accepted connection to send to' };
    const results = await Promise.all(clients.map((c) => this.send(c, bytes)));
    const failed = results.filter((r) => !r.ok).length;
    const summary = `sent ${bytes.byteLength} B to ${clients.length - failed} of ${clients.length} accepted connection${clients.length === 1 ? '' : 's'} (${clients.map((c) => `#${c.id}`).join(', ')})`;
    this.note(server, summary);
    return failed ? { ok: false, message: `${summary}; see each connection for its error` } : OK;
  }

  async joinGroup(entry: SocketEntry, group: string): Promise<ActionResult> {
    const r = await invoke<number>(this.chrome, (cb) => this.api.udp.joinGroup(entry.id, group, cb));
    if (this.failed(r)) return this.fail(entry, `joinGroup ${group}`, r);
    this.note(entry, `joined ${group}`);
    await this.refresh(entry);
    return OK;
  }

  async leaveGroup(entry: SocketEntry, group: string): Promise<ActionResult> {
    const r = await invoke<number>(this.chrome, (cb) => this.api.udp.leaveGroup(entry.id, group, cb));
    if (this.failed(r)) return this.fail(entry, `leaveGroup ${group}`, r);
    this.note(entry, `left ${group}`);
    await this.refresh(entry);
    return OK;
  }

  async setBroadcast(entry: SocketEntry, enabled: boolean): Promise<ActionResult> {
    const r = await invoke<number>(this.chrome, (cb) => this.api.udp.setBroadcast(entry.id, enabled, cb));
    if (this.failed(r)) return this.fail(entry, `setBroadcast(${enabled})`, r);
    entry.broadcast = enabled;
    this.note(entry, enabled ? 'broadcast on' : 'broadcast off');
    return OK;
  }
}
