/**
 * The sidebar's list of the window's sockets: servers with their accepted connections nested
 * under them, each with a state dot and live byte counters. Rebuilt only when sockets come or go;
 * counters update in place on the app's frame.
 */
import type { tcp } from '../../common/api-types';
import { formatBytes, formatEndpoint } from '../lib/format';
import { KIND_LABEL, type SocketEntry, type Workbench } from '../lib/workbench';
import { h, replace, setText } from './dom';

interface Item {
  entry: SocketEntry;
  el: HTMLButtonElement;
  dot: HTMLElement;
  label: HTMLElement;
  sub: HTMLElement;
  counts: HTMLElement;
}

/** Short state word and the dot class for a socket. */
export function stateOf(entry: SocketEntry): { word: string; tone: 'ok' | 'warn' | 'err' | 'idle' | 'busy' } {
  const paused = entry.info?.paused === true;
  switch (entry.phase) {
    case 'closed':
      return { word: 'closed', tone: 'idle' };
    case 'connecting':
      return { word: 'connecting', tone: 'busy' };
    case 'securing':
      return { word: 'securing', tone: 'busy' };
    case 'connected':
      return { word: paused ? 'connected, paused' : entry.secure ? 'connected, TLS' : 'connected', tone: paused ? 'warn' : 'ok' };
    case 'listening':
      return { word: paused ? 'listening, paused' : 'listening', tone: paused ? 'warn' : 'ok' };
    case 'bound':
      return { word: paused ? 'bound, paused' : 'bound', tone: paused ? 'warn' : 'ok' };
    case 'disconnected':
      // A peer close is how conversations end: neutral, not an error.
      if (entry.peerClosed) return { word: 'closed by peer', tone: 'idle' };
      return { word: 'disconnected', tone: entry.conversation.counters.errors > 0 ? 'err' : 'idle' };
    default:
      return { word: 'created', tone: 'idle' };
  }
}

/** The endpoint line under a socket's name. */
export function endpointsOf(entry: SocketEntry): string {
  const info = entry.info;
  if (entry.kind === 'tcp') {
    const t = info as tcp.SocketInfo | undefined;
    if (t?.peerAddress !== undefined) return `→ ${formatEndpoint(t.peerAddress, t.peerPort)}`;
    if (entry.target) return `→ ${formatEndpoint(entry.target.host, entry.target.port)}`;
    return entry.phase === 'connected' ? '→ …' : 'not connected';
  }
  if (info?.localAddress !== undefined)
    return `${entry.kind === 'tcpServer' ? 'on' : 'at'} ${formatEndpoint(info.localAddress, info.localPort)}`;
  return entry.kind === 'tcpServer' ? 'not listening' : 'not bound';
}

export class SocketList {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly removeClosed: HTMLButtonElement;
  private items: Item[] = [];
  private builtFor = -1;
  private selectedKey?: string;

  constructor(
    private readonly workbench: Workbench,
    private readonly onSelect: (entry: SocketEntry) => void,
  ) {
    this.heading = h('h2', null, 'Sockets');
    this.removeClosed = h(
      'button',
      {
        type: 'button',
        class: 'remove-closed',
        hidden: true,
        title: 'Forget every closed socket',
        onclick: () => this.workbench.removeClosed(),
      },
      'Remove closed',
    );
    this.list = h('div', { class: 'socket-list', role: 'listbox', 'aria-label': 'Sockets' });
    this.root = h('section', { class: 'sockets' }, h('div', { class: 'sockets-head' }, this.heading, this.removeClosed), this.list);
  }

  /** Entries in display order: servers followed by the sockets they accepted, then the rest. */
  ordered(): SocketEntry[] {
    const all = this.workbench.list();
    const out: SocketEntry[] = [];
    const placed = new Set<string>();
    for (const e of all) {
      if (placed.has(e.key) || (e.kind === 'tcp' && e.acceptedBy !== undefined && this.workbench.get('tcpServer', e.acceptedBy))) continue;
      out.push(e);
      placed.add(e.key);
      if (e.kind === 'tcpServer') {
        for (const id of e.accepted) {
          const c = this.workbench.get('tcp', id);
          if (c && !placed.has(c.key)) {
            out.push(c);
            placed.add(c.key);
          }
        }
      }
    }
    return out;
  }

  select(key: string | undefined): void {
    this.selectedKey = key;
    for (const it of this.items) {
      const on = it.entry.key === key;
      it.el.setAttribute('aria-selected', String(on));
      it.el.tabIndex = on ? 0 : -1;
    }
    if (key && !this.items.some((i) => i.entry.key === key)) this.builtFor = -1;
  }

  focusSelected(): void {
    this.items.find((i) => i.entry.key === this.selectedKey)?.el.focus();
  }

  render(): void {
    if (this.builtFor !== this.workbench.listVersion) this.build();
    for (const it of this.items) this.paint(it);
  }

  private build(): void {
    this.builtFor = this.workbench.listVersion;
    const entries = this.ordered();
    const open = entries.filter((e) => e.phase !== 'closed').length;
    setText(
      this.heading,
      entries.length ? `Sockets (${open} open${entries.length > open ? `, ${entries.length - open} closed` : ''})` : 'Sockets',
    );
    this.removeClosed.hidden = entries.length === open;
    this.items = entries.map((entry) => {
      const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
      const label = h('span', { class: 'si-label' });
      const sub = h('span', { class: 'si-sub' });
      const counts = h('span', { class: 'si-counts' });
      const nested = entry.kind === 'tcp' && entry.acceptedBy !== undefined;
      const el = h(
        'button',
        {
          type: 'button',
          role: 'option',
          class: `socket-item${nested ? ' nested' : ''}`,
          onclick: () => this.onSelect(entry),
          onkeydown: (ev: KeyboardEvent) => this.onKey(ev, entry),
        },
        h('span', { class: `kind k-${entry.kind}` }, KIND_LABEL[entry.kind]),
        dot,
        label,
        counts,
        sub,
      );
      return { entry, el, dot, label, sub, counts };
    });
    if (this.items.length === 0) {
      replace(this.list, h('p', { class: 'hint' }, 'No sockets yet. Fill in a form above and press Enter.'));
    } else {
      replace(this.list, ...this.items.map((i) => i.el));
    }
    this.select(this.selectedKey);
  }

  private paint(it: Item): void {
    const { entry } = it;
    const st = stateOf(entry);
    const dotClass = `dot ${st.tone}`;
    if (it.dot.className !== dotClass) it.dot.className = dotClass;
    it.dot.title = st.word;
    const name = entry.info?.name ? ` ${entry.info.name}` : '';
    setText(it.label, `#${entry.id}${name}`);
    setText(it.sub, `${st.word} · ${endpointsOf(entry)}`);
    const c = entry.conversation.counters;
    setText(
      it.counts,
      entry.kind === 'tcpServer' ? `${entry.accepted.length} acc.` : `↑${formatBytes(c.txBytes)} ↓${formatBytes(c.rxBytes)}`,
    );
    it.el.classList.toggle('closed', entry.phase === 'closed');
    it.el.classList.toggle('has-error', st.tone === 'err');
  }

  private onKey(ev: KeyboardEvent, entry: SocketEntry): void {
    const i = this.items.findIndex((x) => x.entry === entry);
    let next: Item | undefined;
    if (ev.key === 'ArrowDown') next = this.items[i + 1];
    else if (ev.key === 'ArrowUp') next = this.items[i - 1];
    else if (ev.key === 'Home') next = this.items[0];
    else if (ev.key === 'End') next = this.items[this.items.length - 1];
    else return;
    ev.preventDefault();
    if (next) {
      this.onSelect(next.entry);
      next.el.focus();
    }
  }

  /** The entry `delta` places from the selected one (Alt+↑/↓), wrapping around. */
  neighbour(delta: number): SocketEntry | undefined {
    if (this.items.length === 0) return undefined;
    const i = this.items.findIndex((x) => x.entry.key === this.selectedKey);
    const n = this.items.length;
    return this.items[((i < 0 ? (delta > 0 ? -1 : 0) : i) + delta + n) % n]!.entry;
  }
}
