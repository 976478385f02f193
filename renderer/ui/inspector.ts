/**
 * The inspector: a read-only table of every socket of every attached app, from the host's
 * inspection API. Polls only while shown and the page is visible, never with two requests
 * outstanding, at most every POLL_MS.
 */
import type { InspectProvider, InspectSnapshot, InspectSocket } from '../../common/inspect-types';
import { netErrorMessage } from '../../common/net-errors';
import { formatBytes, formatClock, formatEndpoint } from '../lib/format';
import { h, replace, setText } from './dom';

export const POLL_MS = 500;

const KIND: Readonly<Record<InspectSocket['kind'], string>> = { tcp: 'TCP', tcpServer: 'Server', udp: 'UDP' };

function pauseChips(s: InspectSocket): HTMLElement {
  const chips: HTMLElement[] = [];
  if (s.pause.app) chips.push(h('span', { class: 'chip warn', title: 'The app called setPaused(true), or an accepted socket not yet resumed' }, 'app'));
  if (s.pause.error) chips.push(h('span', { class: 'chip err', title: 'Chrome paused it after an error event or disconnect' }, 'error'));
  if (s.pause.flow) chips.push(h('span', { class: 'chip flow', title: 'Host flow control: the app has not acknowledged enough received data' }, 'flow'));
  return h('span', { class: 'chips' }, ...(chips.length ? chips : [h('span', { class: 'muted' }, 'reading')]));
}

export class InspectorPanel {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly summary: HTMLElement;
  private timer?: ReturnType<typeof setTimeout>;
  private active = false;
  private inFlight = false;
  private last?: InspectSnapshot;
  private previous?: { at: number; bytes: Map<string, number> };
  private rates = new Map<string, number>();

  constructor(private readonly provider: InspectProvider) {
    this.status = h('span', { class: 'muted', role: 'status' }, 'not polled yet');
    this.filter = h('input', { type: 'search', placeholder: 'Filter: app, kind, address, state…', 'aria-label': 'Filter sockets', size: 32, oninput: () => this.paint() });
    this.summary = h('div', { class: 'insp-summary' });
    this.body = h('div', { class: 'insp-body' });
    this.root = h('section', { class: 'inspector', 'aria-label': 'Inspector' },
      h('div', { class: 'insp-bar' }, h('h2', null, 'All sockets of all apps'), this.filter, h('span', { class: 'spacer' }), this.status),
      this.summary,
      this.body);
    document.addEventListener('visibilitychange', () => this.schedule(0));
  }

  /** Starts or stops polling (the panel polls only while it is shown). */
  setActive(active: boolean): void {
    this.active = active;
    if (active) this.schedule(0);
    else if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.active || document.hidden) return;
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    const started = Date.now();
    try {
      const snap = await this.provider();
      this.computeRates(snap);
      this.last = snap;
      this.status.className = 'muted';
      setText(this.status, `updated ${formatClock(snap.takenAt)}`);
      this.paint();
    } catch (err) {
      this.status.className = 'error';
      setText(this.status, `inspection failed: ${err instanceof Error ? err.message : String(err)}; retrying`);
    } finally {
      this.inFlight = false;
      this.schedule(Math.max(0, POLL_MS - (Date.now() - started)));
    }
  }

  private computeRates(snap: InspectSnapshot): void {
    const bytes = new Map<string, number>();
    for (const s of snap.sockets) bytes.set(`${s.app}/${s.kind}/${s.socketId}`, s.bytesReceived + s.bytesSent);
    const prev = this.previous;
    this.rates = new Map();
    if (prev && snap.takenAt > prev.at) {
      const dt = (snap.takenAt - prev.at) / 1000;
      for (const [k, v] of bytes) {
        const before = prev.bytes.get(k);
        if (before !== undefined) this.rates.set(k, Math.max(0, (v - before) / dt));
      }
    }
    this.previous = { at: snap.takenAt, bytes };
  }

  private paint(): void {
    const snap = this.last;
    if (!snap) return;
    const q = this.filter.value.trim().toLowerCase();
    const matches = (s: InspectSocket) => !q || [s.app, s.kind, KIND[s.kind], s.state, s.name ?? '', String(s.socketId),
      formatEndpoint(s.localAddress, s.localPort), formatEndpoint(s.peerAddress, s.peerPort)].some((t) => t.toLowerCase().includes(q));
    const sockets = snap.sockets.filter(matches);
    const flowHeld = snap.sockets.filter((s) => s.pause.flow).length;
    replace(this.summary,
      h('span', null, `${snap.apps.length} app${snap.apps.length === 1 ? '' : 's'}`),
      h('span', null, `${snap.sockets.length} socket${snap.sockets.length === 1 ? '' : 's'}`),
      flowHeld ? h('span', { class: 'chip flow' }, `${flowHeld} held by flow control`) : null,
      ...snap.apps.map((a) => h('span', { class: 'app-tag', title: a.contexts.map((c) => `context ${c.id}${c.label ? ` ${c.label}` : ''}${c.background ? ' (background)' : ''}${c.unackedBytes !== undefined ? `, ${formatBytes(c.unackedBytes)} unacknowledged` : ''}`).join('\n') },
        `${a.app}: ${a.contexts.length} context${a.contexts.length === 1 ? '' : 's'}${a.writeQuota ? `, quota ${formatBytes(a.writeQuota.used)} / ${formatBytes(a.writeQuota.limit)}` : ''}`)));
    if (snap.sockets.length === 0) {
      replace(this.body, h('p', { class: 'empty-state' }, snap.apps.length
        ? 'No app has a socket open. Sockets appear here as soon as any attached app creates one.'
        : 'No app is attached to the host yet. Open an app window that uses chrome.sockets.'));
      return;
    }
    const head = h('tr', null, ...['App', 'Kind', 'ID', 'Name', 'State', 'Local', 'Peer', 'Paused by', 'Received', 'Sent', 'Rate', 'In flight', 'Last error']
      .map((t) => h('th', { scope: 'col' }, t)));
    const rows = sockets
      .slice()
      .sort((a, b) => a.app.localeCompare(b.app) || a.kind.localeCompare(b.kind) || a.socketId - b.socketId)
      .map((s) => h('tr', { class: `st-${s.state}` },
        h('td', { class: 'app-cell' }, s.app),
        h('td', null, h('span', { class: `kind k-${s.kind}` }, KIND[s.kind])),
        h('td', { class: 'num' }, String(s.socketId)),
        h('td', null, s.name ?? '', s.persistent ? h('span', { class: 'chip', title: 'persistent' }, 'P') : null),
        h('td', null, s.state, s.secure ? ' · TLS' : '', s.acceptedBy !== undefined ? h('span', { class: 'muted' }, ` ← #${s.acceptedBy}`) : null),
        h('td', { class: 'mono' }, formatEndpoint(s.localAddress, s.localPort)),
        h('td', { class: 'mono' }, s.peerAddress !== undefined ? formatEndpoint(s.peerAddress, s.peerPort) : s.groups?.length ? `groups ${s.groups.join(', ')}` : '–'),
        h('td', null, pauseChips(s)),
        h('td', { class: 'num' }, formatBytes(s.bytesReceived)),
        h('td', { class: 'num' }, formatBytes(s.bytesSent)),
        h('td', { class: 'num' }, formatBytes(this.rates.get(`${s.app}/${s.kind}/${s.socketId}`) ?? 0) + '/s'),
        h('td', { class: 'num' }, s.bytesInFlight ? formatBytes(s.bytesInFlight) : '–'),
        h('td', { class: s.lastErrorCode ? 'error' : 'muted' }, s.lastErrorCode ? `${netErrorMessage(s.lastErrorCode)} (${s.lastErrorCode})` : '–')));
    const table = h('table', { class: 'insp-table' }, h('thead', null, head), h('tbody', null, ...rows));
    if (rows.length === 0) replace(this.body, h('p', { class: 'empty-state' }, `No socket matches "${this.filter.value}".`));
    else replace(this.body, table);
  }
}
