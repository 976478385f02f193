/**
 * Following an app's socket through the host's tap: its traffic both ways and the app's calls on
 * it (method, arguments, result code, lastError, latency), live, in the same virtualised log as
 * the window's own sockets, with pcapng and text export. Polls the tap every POLL_MS while open,
 * never with two reads outstanding; closing the view ends the host's recording.
 */
import type { InspectSocket, TapProvider, TapWireRead, TapWireRecord } from '../../common/inspect-types';
import { capturesOf } from '../lib/capture-export';
import { Conversation, formatTranscript } from '../lib/conversation';
import { formatDateTime, formatEndpoint } from '../lib/format';
import { writePcapng } from '../lib/pcapng';
import { errorText, type Kind, KIND_LABEL, PEER_CLOSED, type SocketEntry } from '../lib/workbench';
import { h, setText } from './dom';
import { TlsPanel } from './tls-panel';
import { TrafficView } from './traffic-view';

const POLL_MS = 250;

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function download(data: string | Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class TapView {
  readonly root: HTMLElement;
  readonly conversation = new Conversation();
  private readonly traffic: TrafficView;
  private readonly status: HTMLElement;
  private readonly title: HTMLElement;
  private next = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;
  private socket?: InspectSocket;
  private peerClosed = false;
  /** A secured socket's session (the trust offer lives in the window's own views). */
  private readonly tls = new TlsPanel(undefined);

  constructor(
    private readonly tap: TapProvider,
    readonly kind: InspectSocket['kind'],
    readonly id: number,
    readonly app: string,
    private readonly requestRender: () => void,
    onClose: () => void,
  ) {
    this.traffic = new TrafficView(requestRender, () => {});
    this.traffic.setConversation(this.conversation);
    this.traffic.setEmptyText('Following: traffic and calls appear here as the app uses the socket.');
    this.status = h('span', { class: 'muted small tap-status', role: 'status' }, 'starting…');
    this.title = h('h2', { class: 'tap-title' }, `${app} · ${KIND_LABEL[kind as Kind] ?? kind} #${id}`);
    this.root = h(
      'section',
      { class: 'tap-view', 'aria-label': `Following ${kind} socket ${id} of ${app}` },
      h(
        'div',
        { class: 'tap-bar' },
        this.title,
        h('span', { class: 'spacer' }),
        this.status,
        h('button', { type: 'button', onclick: () => this.save('text') }, 'Save text'),
        h('button', { type: 'button', class: 'save-pcapng', onclick: () => this.savePcapng() }, 'Save pcapng'),
        h('button', { type: 'button', class: 'danger', onclick: onClose }, 'Stop following'),
      ),
      this.tls.root,
      this.traffic.root,
    );
  }

  async start(): Promise<void> {
    try {
      await this.tap({ op: 'watch', kind: this.kind, id: this.id });
    } catch (error) {
      setText(this.status, `cannot follow: ${error instanceof Error ? error.message : String(error)}`);
      this.status.className = 'small error tap-status';
      return;
    }
    this.conversation.addNote(
      `following ${this.app}'s ${this.kind} socket ${this.id} (the host records only while this view is open)`,
      Date.now(),
    );
    this.poll();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    void this.tap({ op: 'unwatch', kind: this.kind, id: this.id }).catch(() => undefined);
  }

  render(): void {
    this.traffic.render();
  }

  private poll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.read(), POLL_MS);
  }

  private async read(): Promise<void> {
    try {
      const answer = (await this.tap({ op: 'read', kind: this.kind, id: this.id, since: this.next })) as TapWireRead;
      for (const r of answer.records) this.add(r);
      this.next = answer.next;
      this.socket = answer.socket ?? this.socket;
      const s = this.socket;
      this.tls.show(s?.tls, undefined);
      setText(
        this.status,
        `${s ? `${s.state} · ${formatEndpoint(s.localAddress, s.localPort)}${s.peerAddress !== undefined ? ` → ${formatEndpoint(s.peerAddress, s.peerPort)}` : ''}` : 'socket gone'}${answer.dropped ? ` · ${answer.dropped} oldest dropped (bounded tap)` : ''}`,
      );
      if (answer.records.length) this.requestRender();
    } catch (error) {
      setText(this.status, `tap: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.poll();
  }

  private add(r: TapWireRecord): void {
    const c = this.conversation;
    const remote = r.remote ? formatEndpoint(r.remote.address, r.remote.port) : undefined;
    if (r.type === 'rx' || r.type === 'tx') {
      const bytes = fromBase64(r.data ?? '');
      if (r.type === 'rx') c.addRx(bytes, r.time, remote, r.offset ?? c.counters.rxBytes);
      else c.addTx(bytes, r.time, remote, r.offset ?? c.counters.txBytes);
      return;
    }
    if (r.type === 'call') {
      const result = r.resultCode !== undefined ? ` → ${r.resultCode}` : '';
      const line = `${r.name}(${r.args ?? ''})${result}${r.lastError ? ` lastError "${r.lastError}"` : ''} · ${r.latencyMs ?? 0} ms`;
      if (r.lastError) c.addError(line, r.time, r.resultCode);
      else c.addNote(line, r.time);
      return;
    }
    // Events other than data: error events inline with their net:: name; a peer close is neutral.
    if (r.resultCode !== undefined && r.resultCode < 0) {
      const text = `${r.name} ${errorText(undefined, r.resultCode)}`;
      if (r.resultCode === PEER_CLOSED) {
        this.peerClosed = true;
        c.addNote(text, r.time, r.resultCode);
      } else c.addError(text, r.time, r.resultCode);
    } else c.addNote(`${r.name} ${r.args ?? ''}`, r.time);
  }

  /** The log as a socket entry, for the exporters the window's own sockets use. */
  private asEntry(): SocketEntry {
    const s = this.socket;
    return {
      key: `tap:${this.kind}:${this.id}`,
      kind: this.kind as Kind,
      id: this.id,
      origin: 'adopted',
      createdAt: 0,
      acceptedBy: s?.acceptedBy,
      phase: 'connected',
      info: s
        ? ({
            socketId: this.id,
            localAddress: s.localAddress,
            localPort: s.localPort,
            peerAddress: s.peerAddress,
            peerPort: s.peerPort,
          } as SocketEntry['info'])
        : undefined,
      secure: s?.secure ?? false,
      conversation: this.conversation,
      accepted: [],
      autoResume: false,
      groups: [],
      peerClosed: this.peerClosed,
      version: 0,
    } as SocketEntry;
  }

  private fileName(ext: string): string {
    return `${this.app}-${this.kind}-${this.id}-${formatDateTime(Date.now()).replace(/[: ]/g, '-')}.${ext}`;
  }

  save(mode: 'text' | 'hex'): void {
    const title = `${this.app}: ${this.kind} ${this.id}`;
    download(formatTranscript(this.conversation, { title, savedAt: Date.now() }, mode), this.fileName('txt'), 'text/plain;charset=utf-8');
  }

  savePcapng(): void {
    download(writePcapng(capturesOf(this.asEntry())), this.fileName('pcapng'), 'application/vnd.tcpdump.pcap');
  }
}
