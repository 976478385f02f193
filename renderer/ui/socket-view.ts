/**
 * Everything about one socket: header with actions, live getInfo fields, kind-specific options,
 * counters with the throughput plot, the conversation and the composer. One view per socket is
 * kept while the socket is listed, so drafts and scroll positions survive switching.
 */
import type { tcp } from '../../common/api-types';
import type { InspectProvider, TapProvider } from '../../common/inspect-types';
import { capturesOf } from '../lib/capture-export';
import { formatTranscript, type TranscriptMode } from '../lib/conversation';
import { writePcapng } from '../lib/pcapng';
import { formatBytes, formatCount, formatDateTime, formatEndpoint, formatRate } from '../lib/format';
import { describeEntry, KIND_LABEL, secureAvailability, type SocketEntry, type Workbench } from '../lib/workbench';
import { Composer } from './composer';
import { checkbox, h, intValue, replace, segmented, setText } from './dom';
import { ThroughputPlot } from './plot';
import { endpointsOf, stateOf } from './socket-list';
import { copyText, entryMatcher, type CopyFormat, type TimeMode } from '../lib/log-tools';
import type { Recall } from '../lib/recall';
import { makeResponder, RESPONDER_LIMITS, type MatchKind } from '../lib/responders';
import { TlsPanel } from './tls-panel';
import { TrafficView, type ViewMode } from './traffic-view';

/** Saves `data` through a download link. */
function download(data: string | Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface InfoRow {
  key: string;
  value: HTMLElement;
}

export class SocketView {
  readonly root: HTMLElement;
  readonly traffic: TrafficView;
  readonly composer: Composer;
  private readonly plot = new ThroughputPlot();
  private readonly title: HTMLElement;
  private readonly pill: HTMLElement;
  private readonly endpoints: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly infoRows: InfoRow[] = [];
  private readonly stats: Record<string, HTMLElement> = {};
  private readonly logStatus: HTMLElement;
  private readonly followButton: HTMLButtonElement;
  private readonly viewSwitch: ReturnType<typeof segmented<ViewMode>>;
  private readonly options: HTMLElement;
  private readonly connList: HTMLElement;
  private connSignature?: string;
  private mode: ViewMode = 'text';
  private propInputs?: { name: HTMLInputElement; buf: HTMLInputElement; persistent: HTMLInputElement };
  private paintedVersion = -1;
  private busy = false;
  private secureButton?: HTMLButtonElement;
  private bindRow?: HTMLElement;
  private disabledForClose = false;
  /** tcp clients: the TLS session or refused certificate, read from the host's inspection. */
  private readonly tls?: TlsPanel;
  private tlsLoaded = '';

  constructor(
    readonly entry: SocketEntry,
    private readonly workbench: Workbench,
    requestRender: () => void,
    private readonly select: (e: SocketEntry) => void,
    /** The host's inspection and tap, when the window has them (TLS details, trusting a certificate). */
    private readonly hostTools: { inspect?: InspectProvider; tap?: TapProvider; recall?: Recall } = {},
  ) {
    if (entry.kind === 'tcp' && entry.acceptedBy === undefined && hostTools.inspect) {
      this.tls = new TlsPanel(hostTools.tap, () => this.offerReconnect());
    }
    this.title = h('h1', { class: 'sv-title' });
    this.pill = h('span', { class: 'pill' });
    this.endpoints = h('div', { class: 'sv-endpoints' });
    this.actions = h('div', { class: 'sv-actions', role: 'toolbar', 'aria-label': 'Socket actions' });
    this.followButton = h(
      'button',
      {
        type: 'button',
        class: 'toggle',
        'aria-pressed': 'true',
        title: 'Keep the newest entries in view (Alt+F)',
        onclick: () => this.traffic.setFollow(!this.traffic.follow),
      },
      'Follow',
    );
    this.traffic = new TrafficView(requestRender, (f) => this.followButton.setAttribute('aria-pressed', String(f)));
    this.traffic.setConversation(entry.conversation);
    this.traffic.setEmptyText(this.emptyText());
    // A server's log merges its connections; the peer column says whose bytes each row is.
    if (entry.kind === 'tcpServer') this.traffic.setPeerColumn(true);
    this.viewSwitch = segmented<ViewMode>(
      'Show payload as',
      [
        { value: 'text', label: 'Text', title: 'Alt+H toggles' },
        { value: 'hex', label: 'Hex', title: 'Alt+H toggles' },
      ],
      'text',
      (m) => this.setMode(m),
    );
    this.logStatus = h('span', { class: 'log-status muted' });
    this.options = h('div', { class: 'sv-options' });
    this.composer = new Composer(entry, workbench, hostTools.recall);

    const info = h('dl', { class: 'info', 'aria-label': 'getInfo' });
    const keys =
      entry.kind === 'tcp'
        ? ['socketId', 'name', 'persistent', 'bufferSize', 'paused', 'connected', 'localAddress', 'localPort', 'peerAddress', 'peerPort']
        : entry.kind === 'tcpServer'
          ? ['socketId', 'name', 'persistent', 'paused', 'localAddress', 'localPort']
          : ['socketId', 'name', 'persistent', 'bufferSize', 'paused', 'localAddress', 'localPort'];
    for (const key of keys) {
      const value = h('dd');
      info.append(h('dt', null, key), value);
      this.infoRows.push({ key, value });
    }
    // A small table: bytes, messages and current rate per direction, then errors.
    const cell = (key: string) => (this.stats[key] = h('span', { class: `stat-v s-${key}` }));
    const statBox = h(
      'div',
      { class: 'stats' },
      h('span'),
      h('span', { class: 'stat-h' }, 'bytes'),
      h('span', { class: 'stat-h' }, 'messages'),
      h('span', { class: 'stat-h' }, 'now'),
      h('span', { class: 'stat-k' }, 'Sent'),
      cell('tx'),
      cell('txMsgs'),
      cell('txRate'),
      h('span', { class: 'stat-k' }, 'Received'),
      cell('rx'),
      cell('rxMsgs'),
      cell('rxRate'),
      h('span', { class: 'stat-k' }, 'Errors'),
      cell('errors'),
    );
    this.connList = h('div', { class: 'conn-list' });
    const third =
      entry.kind === 'tcpServer'
        ? h('div', { class: 'panel' }, h('h3', null, 'Accepted connections'), this.connList)
        : h(
            'div',
            { class: 'panel panel-plot' },
            h(
              'h3',
              null,
              'Traffic ',
              h('span', { class: 'legend' }, h('span', { class: 'lg-rx' }, '■ received'), ' ', h('span', { class: 'lg-tx' }, '■ sent')),
            ),
            statBox,
            this.plot.root,
          );

    this.root = h(
      'section',
      { class: `socket-view kind-${entry.kind}`, 'aria-label': `${KIND_LABEL[entry.kind]} socket ${entry.id}` },
      h(
        'header',
        { class: 'sv-head' },
        h('div', { class: 'sv-id' }, h('span', { class: `kind k-${entry.kind}` }, KIND_LABEL[entry.kind]), this.title, this.pill),
        this.endpoints,
        this.actions,
      ),
      h(
        'div',
        { class: 'sv-panels' },
        h('div', { class: 'panel' }, h('h3', null, 'getInfo ', h('span', { class: 'muted' }, 'live')), info),
        h('div', { class: 'panel' }, h('h3', null, 'Options'), this.options),
        third,
      ),
      this.tls?.root ?? null,
      h(
        'div',
        { class: 'log-bar', role: 'toolbar', 'aria-label': 'Conversation' },
        this.viewSwitch.root,
        this.followButton,
        h(
          'span',
          { class: 'show-group', role: 'group', 'aria-label': 'Show' },
          ...(
            [
              ['tx', '→ sent'],
              ['rx', '← received'],
              ['note', '· notes'],
            ] as const
          ).map(([dir, label]) => {
            const b: HTMLButtonElement = h(
              'button',
              {
                type: 'button',
                class: 'toggle',
                'aria-pressed': 'true',
                title: `Show ${label.slice(2)} in the log (errors are always shown)`,
                onclick: () => {
                  const show = b.getAttribute('aria-pressed') !== 'true';
                  b.setAttribute('aria-pressed', String(show));
                  this.traffic.setHidden(dir, !show);
                },
              },
              label,
            );
            return b;
          }),
        ),
        h('button', { type: 'button', title: 'Empty the log and zero the counters (Alt+K)', onclick: () => this.clear() }, 'Clear'),
        h('button', { type: 'button', title: 'Download the conversation as text (Alt+S)', onclick: () => this.save('text') }, 'Save text'),
        h('button', { type: 'button', title: 'Download the conversation as a hex dump', onclick: () => this.save('hex') }, 'Save hex'),
        h(
          'button',
          {
            type: 'button',
            class: 'save-pcapng',
            title: 'Download the held log as pcapng (Wireshark, tcpdump -r): synthetic IP packets with the real ports and stream offsets',
            onclick: () => this.savePcapng(),
          },
          'Save pcapng',
        ),
        h('span', { class: 'spacer' }),
        this.logStatus,
      ),
      this.logTools(),
      this.traffic.root,
      this.composer.root,
      entry.kind === 'tcpServer' ? null : this.respondersBox(),
    );
    this.buildActions();
    this.buildOptions();
  }

  private emptyText(): string {
    const e = this.entry;
    if (e.kind === 'tcpServer') {
      const at = e.info?.localPort !== undefined ? formatEndpoint(e.info.localAddress, e.info.localPort) : 'its port';
      return `Waiting for connections on ${at}. Try: nc ${e.info?.localAddress ?? '127.0.0.1'} ${e.info?.localPort ?? 'PORT'}`;
    }
    if (e.kind === 'udp') return 'Nothing sent or received yet. Enter a destination and a message below, then press Enter.';
    return 'Nothing sent or received yet. Type a message below and press Enter; \\r\\n and other escapes work.';
  }

  setMode(mode: ViewMode): void {
    this.mode = mode;
    this.viewSwitch.set(mode);
    this.traffic.setMode(mode);
  }

  toggleMode(): void {
    this.setMode(this.mode === 'text' ? 'hex' : 'text');
  }

  clear(): void {
    this.entry.conversation.clear();
  }

  /** Downloads a transcript of what the bounded log still holds. */
  save(mode: TranscriptMode): void {
    const now = Date.now();
    const text = formatTranscript(this.entry.conversation, { title: describeEntry(this.entry), savedAt: now }, mode);
    download(
      text,
      `${this.entry.kind}-${this.entry.id}-${formatDateTime(now).replace(/[: ]/g, '-')}${mode === 'hex' ? '-hex' : ''}.txt`,
      'text/plain;charset=utf-8',
    );
  }

  /** Downloads the held log as pcapng (lib/pcapng.ts). */
  savePcapng(): void {
    const now = Date.now();
    const bytes = writePcapng(capturesOf(this.entry));
    download(
      bytes,
      `${this.entry.kind}-${this.entry.id}-${formatDateTime(now).replace(/[: ]/g, '-')}.pcapng`,
      'application/vnd.tcpdump.pcap',
    );
  }

  // ---- responders -------------------------------------------------------------------------------

  private respondersList?: HTMLElement;
  private respondersSignature = '';
  private nextResponder = 1;

  private respondersBox(): HTMLElement {
    const status = h('span', { class: 'small', role: 'status' });
    const kind = h(
      'select',
      { 'aria-label': 'Match kind' },
      ...(['text', 'hex', 'regex'] as const).map((k) => h('option', { value: k }, k)),
    );
    const pattern = h('input', {
      type: 'text',
      class: 'resp-pattern',
      placeholder: 'PING\\r\\n',
      'aria-label': 'Match',
      spellcheck: false,
    });
    const replyMode = h(
      'select',
      { 'aria-label': 'Reply format' },
      h('option', { value: 'text' }, 'text'),
      h('option', { value: 'hex' }, 'hex'),
    );
    const reply = h('input', { type: 'text', class: 'resp-reply', placeholder: 'PONG\\r\\n', 'aria-label': 'Reply', spellcheck: false });
    const limit = h('input', {
      type: 'text',
      class: 'narrow',
      inputMode: 'numeric',
      placeholder: String(RESPONDER_LIMITS.defaultReplies),
      'aria-label': 'Most replies',
      title: `Replies before the responder disarms (1–${RESPONDER_LIMITS.maxReplies})`,
    });
    const add = (): void => {
      const n = intValue(limit);
      const r = makeResponder(
        this.nextResponder,
        kind.value as MatchKind,
        pattern.value,
        replyMode.value as 'text' | 'hex',
        reply.value,
        n === undefined ? undefined : n,
      );
      status.className = 'small error';
      if (typeof r === 'string') return setText(status, r);
      if (!this.workbench.addResponder(this.entry, r))
        return setText(status, `At most ${RESPONDER_LIMITS.perSocket} responders per socket`);
      this.nextResponder++;
      status.className = 'small';
      setText(status, '');
      pattern.value = '';
      reply.value = '';
    };
    this.respondersList = h('div', { class: 'resp-list' });
    return h(
      'details',
      { class: 'responders' },
      h('summary', null, 'Responders ', h('span', { class: 'muted small' }, 'match received data → send a reply')),
      h(
        'div',
        { class: 'opt-row resp-form', role: 'group', 'aria-label': 'New responder' },
        kind,
        pattern,
        h('span', { class: 'muted' }, '→'),
        replyMode,
        reply,
        h('span', { class: 'muted small' }, 'at most'),
        limit,
        h('button', { type: 'button', class: 'resp-add', onclick: add }, 'Add responder'),
        status,
      ),
      this.respondersList,
    );
  }

  private paintResponders(): void {
    const list = this.respondersList;
    if (!list) return;
    const rs = this.entry.responders ?? [];
    const signature = rs.map((r) => `${r.id}:${r.fired}`).join(',');
    if (signature === this.respondersSignature) return;
    this.respondersSignature = signature;
    list.replaceChildren(
      ...rs.map((r) =>
        h(
          'div',
          { class: `resp${r.fired >= r.limit ? ' spent' : ''}` },
          h('span', { class: 'mono' }, `#${r.id} ${r.match} ${JSON.stringify(r.pattern)} → ${JSON.stringify(r.replyText)}`),
          h('span', { class: 'muted small resp-count' }, `${r.fired}/${r.limit} replies${r.fired >= r.limit ? ' (spent)' : ''}`),
          h(
            'button',
            { type: 'button', 'aria-label': `Remove responder ${r.id}`, onclick: () => this.workbench.removeResponder(this.entry, r.id) },
            '×',
          ),
        ),
      ),
    );
  }

  // ---- log tools: search, filter, timestamps, copy as ---------------------------------------------

  private logTools(): HTMLElement {
    const status = h('span', { class: 'tools-status small muted', role: 'status' });
    const search = h('input', {
      type: 'search',
      class: 'log-search',
      placeholder: 'Search text or hex (Enter: next)',
      'aria-label': 'Search the log',
      spellcheck: false,
    });
    const filter: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'toggle log-filter',
        'aria-pressed': 'false',
        title: 'Show only the entries that match the search',
        onclick: () => {
          const on = filter.getAttribute('aria-pressed') !== 'true';
          filter.setAttribute('aria-pressed', String(on));
          this.traffic.setFilter(on ? search.value : undefined);
        },
      },
      'Filter',
    );
    const find = (step: 1 | -1): void => {
      const log = this.entry.conversation.log;
      const test = entryMatcher(search.value);
      if (search.value.trim() === '' || log.length === 0) return;
      const from = this.traffic.selected?.seq;
      const n = log.length;
      let start = step === 1 ? 0 : n - 1;
      if (from !== undefined) for (let i = 0; i < n; i++) if (log.at(i)!.seq === from) start = i + step;
      for (let k = 0; k < n; k++) {
        const i = (((start + step * k) % n) + n) % n;
        const e = log.at(i)!;
        if (test(e)) {
          this.traffic.reveal(e);
          setText(status, `match #${e.seq}`);
          return;
        }
      }
      setText(status, 'no match');
    };
    search.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      find(ev.shiftKey ? -1 : 1);
    });
    search.addEventListener('input', () => {
      if (filter.getAttribute('aria-pressed') === 'true') this.traffic.setFilter(search.value);
    });
    const time = segmented<TimeMode>(
      'Timestamps',
      [
        { value: 'clock', label: 'Clock', title: 'Time of day' },
        { value: 'relative', label: 'Relative', title: 'Seconds since the oldest entry held' },
        { value: 'delta', label: 'Delta', title: 'Seconds since the entry before' },
      ],
      'clock',
      (m) => this.traffic.setTimeMode(m),
    );
    const copyButtons = (
      [
        ['hex', 'Hex'],
        ['c', 'C array'],
        ['base64', 'Base64'],
      ] as const
    ).map(([format, label]) =>
      h(
        'button',
        { type: 'button', class: `copy-as copy-${format}`, disabled: true, onclick: () => void this.copySelected(format, status) },
        label,
      ),
    );
    this.traffic.onSelect = (e) => {
      for (const b of copyButtons) {
        b.disabled = !e?.bytes;
        b.title = e?.bytes ? `Copy the ${e.bytes.byteLength} bytes of entry #${e.seq}` : 'Click a sent or received entry first';
      }
    };
    this.traffic.onSelect(undefined);
    return h(
      'div',
      { class: 'log-tools', role: 'toolbar', 'aria-label': 'Log tools' },
      search,
      h('button', { type: 'button', title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match', onclick: () => find(-1) }, '↑'),
      h('button', { type: 'button', title: 'Next match (Enter)', 'aria-label': 'Next match', onclick: () => find(1) }, '↓'),
      filter,
      time.root,
      h(
        'span',
        { class: 'copy-group', role: 'group', 'aria-label': 'Copy as' },
        h('span', { class: 'muted small' }, 'Copy as'),
        ...copyButtons,
      ),
      status,
    );
  }

  private async copySelected(format: CopyFormat, status: HTMLElement): Promise<void> {
    const e = this.traffic.selected;
    if (!e?.bytes) return;
    const text = copyText(e.bytes, format, `${e.dir}_${e.seq}`);
    try {
      await navigator.clipboard.writeText(text);
      setText(status, `copied #${e.seq} (${e.bytes.byteLength} B) as ${format === 'c' ? 'a C array' : format}`);
    } catch (error) {
      setText(status, `copy failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- TLS ------------------------------------------------------------------------------------

  /** Reads the session (after secure()) or the refused certificate (after a failed one) once. */
  private loadTls(): void {
    const e = this.entry;
    const want = e.secure ? 'secure' : e.secureError !== undefined ? `error:${e.secureError}` : '';
    if (!this.tls || !this.hostTools.inspect || want === this.tlsLoaded) return;
    this.tlsLoaded = want;
    if (want === '') return this.tls.show(undefined, undefined);
    void this.hostTools.inspect().then(
      (snap) => {
        if (this.tlsLoaded !== want) return;
        const session = e.secure ? snap.sockets.find((s) => s.kind === 'tcp' && s.id === e.id)?.tls : undefined;
        const rejected = e.secure ? undefined : [...(snap.rejectedCertificates ?? [])].reverse().find((r) => r.socketId === e.id);
        this.tls!.show(session, rejected);
      },
      () => {
        // The host is unreachable now: try again on the next repaint.
        this.tlsLoaded = '';
      },
    );
  }

  /** After trusting a certificate: one click opens a new TLS connection to the same target. */
  private offerReconnect(): void {
    const target = this.entry.target;
    if (!target || !this.tls) return;
    this.tls.root.append(
      h(
        'div',
        { class: 'opt-row' },
        h(
          'button',
          {
            type: 'button',
            class: 'tls-again',
            title: 'A new TCP socket: connect and secure() to the same host and port',
            onclick: () =>
              void this.workbench
                .createTcpClient({ host: target.host, port: target.port, dnsQueryType: target.dnsQueryType, tls: {} })
                .then((r) => {
                  if ('key' in r) this.select(r);
                }),
          },
          `Connect again with TLS to ${formatEndpoint(target.host, target.port)}`,
        ),
      ),
    );
  }

  // ---- actions ---------------------------------------------------------------------------------

  private async act(work: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await work();
    } finally {
      this.busy = false;
      this.buildActions();
    }
  }

  togglePause(): void {
    if (this.entry.phase === 'closed') return;
    void this.act(() => this.workbench.setPaused(this.entry, !(this.entry.info?.paused ?? false)));
  }

  disconnectOrReconnect(): void {
    const e = this.entry;
    if (e.phase === 'closed' || e.kind === 'udp') return;
    if (e.kind === 'tcp' && e.phase === 'disconnected' && e.target && e.acceptedBy === undefined && !e.secure) {
      void this.act(() => this.workbench.connect(e, e.target!));
    } else if (e.kind === 'tcpServer' && e.phase === 'disconnected' && e.listenAt) {
      void this.act(() => this.workbench.listenServer(e, e.listenAt!));
    } else {
      void this.act(() => this.workbench.disconnect(e));
    }
  }

  close(): void {
    if (this.entry.phase === 'closed') return;
    this.composer?.stop();
    void this.act(() => this.workbench.close(this.entry));
  }

  private buildActions(): void {
    const e = this.entry;
    const buttons: HTMLElement[] = [];
    if (e.phase === 'closed') {
      buttons.push(
        h(
          'button',
          { type: 'button', title: 'Remove this closed socket from the list', onclick: () => this.workbench.remove(e) },
          'Remove from list',
        ),
      );
    } else {
      const paused = e.info?.paused ?? false;
      buttons.push(
        h(
          'button',
          {
            type: 'button',
            class: 'toggle',
            'aria-pressed': String(paused),
            title: 'setPaused (Alt+P)',
            onclick: () => this.togglePause(),
          },
          paused ? 'Resume' : 'Pause',
        ),
      );
      if (e.kind === 'tcp') {
        const canReconnect = e.phase === 'disconnected' && e.target && e.acceptedBy === undefined && !e.secure;
        buttons.push(
          h(
            'button',
            {
              type: 'button',
              title: canReconnect ? 'connect again to the same host and port (Alt+D)' : 'disconnect: keeps the id (Alt+D)',
              onclick: () => this.disconnectOrReconnect(),
            },
            canReconnect ? 'Reconnect' : 'Disconnect',
          ),
        );
      } else if (e.kind === 'tcpServer') {
        const canListen = e.phase === 'disconnected' && e.listenAt;
        buttons.push(
          h(
            'button',
            {
              type: 'button',
              title: canListen ? 'listen again (Alt+D)' : 'disconnect: stop listening, keep the id (Alt+D)',
              onclick: () => this.disconnectOrReconnect(),
            },
            canListen ? 'Listen again' : 'Stop listening',
          ),
        );
      }
      buttons.push(
        h(
          'button',
          { type: 'button', class: 'danger', title: 'close: the id becomes invalid (Alt+X)', onclick: () => this.close() },
          'Close',
        ),
      );
    }
    // Rebuilding must not throw keyboard focus away from the button the user just pressed.
    const focused = this.actions.contains(document.activeElement)
      ? [...this.actions.children].indexOf(document.activeElement as Element)
      : -1;
    replace(this.actions, ...buttons);
    if (focused >= 0) (buttons[Math.min(focused, buttons.length - 1)] as HTMLElement | undefined)?.focus();
  }

  private buildOptions(): void {
    const e = this.entry;
    const status = h('div', { class: 'opt-status', role: 'status' });
    const report = (r: { ok: boolean; message?: string }) => {
      status.className = `opt-status${r.ok ? '' : ' error'}`;
      setText(status, r.ok ? '' : (r as { message: string }).message);
    };
    const rows: HTMLElement[] = [];

    if (e.kind === 'tcp') {
      const ka = checkbox('Keep-alive', e.keepAlive?.enable ?? false, 'setKeepAlive(enable, delay)');
      const delay = h('input', {
        type: 'text',
        class: 'narrow',
        inputMode: 'numeric',
        value: String(e.keepAlive?.delay ?? 0),
        'aria-label': 'Keep-alive delay in seconds',
        title: 'Delay in seconds (Chrome passes seconds; 0 keeps the OS default)',
      });
      const applyKa = () => {
        const d = intValue(delay);
        if (d === undefined || Number.isNaN(d) || d < 0) return report({ ok: false, message: 'Delay must be whole seconds ≥ 0' });
        void this.workbench.setKeepAlive(e, ka.input.checked, d).then(report);
      };
      ka.input.addEventListener('change', applyKa);
      delay.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          applyKa();
        }
      });
      const nd = checkbox('No-delay', e.noDelay ?? false, 'setNoDelay: turn Nagle off');
      nd.input.addEventListener('change', () => void this.workbench.setNoDelay(e, nd.input.checked).then(report));
      // Chrome supports TLS only on client sockets, once, and only when paused before connect
      // (spec §3.5, §4.4); otherwise secure() fails and destroys the socket, so the button is
      // enabled only when it can work and says why not otherwise.
      this.secureButton =
        e.acceptedBy === undefined
          ? h(
              'button',
              {
                type: 'button',
                class: 'secure-btn',
                onclick: () => {
                  if (secureAvailability(e).ok) void this.workbench.secure(e, {}, false).then(report);
                },
              },
              'secure()',
            )
          : undefined;
      rows.push(h('div', { class: 'opt-row' }, ka.root, delay, h('span', { class: 'muted' }, 's'), nd.root, this.secureButton ?? null));
      if (this.secureButton) rows.push(h('div', { class: 'opt-row secure-reason muted small' }));
    }
    if (e.kind === 'udp') {
      const bc = checkbox('Broadcast', e.broadcast ?? false, 'setBroadcast');
      bc.input.addEventListener('change', () => void this.workbench.setBroadcast(e, bc.input.checked).then(report));
      const group = h('input', { type: 'text', placeholder: '239.1.2.3', spellcheck: false, 'aria-label': 'Multicast group' });
      const join = h(
        'button',
        { type: 'button', title: 'joinGroup', onclick: () => void this.workbench.joinGroup(e, group.value.trim()).then(report) },
        'Join',
      );
      const leave = h(
        'button',
        { type: 'button', title: 'leaveGroup', onclick: () => void this.workbench.leaveGroup(e, group.value.trim()).then(report) },
        'Leave',
      );
      group.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          join.click();
        }
      });
      // A bind that failed (port in use, no permission) can be tried again on the same id.
      const bindAddress = h('input', {
        type: 'text',
        spellcheck: false,
        'aria-label': 'Bind address',
        value: e.bindAt?.address ?? '0.0.0.0',
      });
      const bindPort = h('input', {
        type: 'text',
        class: 'narrow',
        inputMode: 'numeric',
        'aria-label': 'Bind port',
        placeholder: '0',
        value: e.bindAt ? String(e.bindAt.port) : '',
      });
      const bindButton = h(
        'button',
        {
          type: 'button',
          class: 'bind-again',
          title: 'bind(address, port) on this socket',
          onclick: () => {
            const port = intValue(bindPort) ?? 0;
            if (Number.isNaN(port) || port < 0 || port > 65535) return report({ ok: false, message: 'Port must be 0 to 65535' });
            void this.workbench.bind(e, bindAddress.value.trim(), port).then(report);
          },
        },
        'Bind',
      );
      this.bindRow = h('div', { class: 'opt-row bind-row', hidden: true }, bindAddress, bindPort, bindButton);
      rows.push(this.bindRow);
      rows.push(h('div', { class: 'opt-row' }, bc.root));
      rows.push(h('div', { class: 'opt-row' }, group, join, leave));
      rows.push(h('div', { class: 'opt-row groups muted small' }));
    }
    if (e.kind === 'tcpServer') {
      const ar = checkbox(
        'Resume accepted sockets',
        e.autoResume,
        'Chrome creates accepted sockets paused; the window calls tcp.setPaused(id, false) for you',
      );
      ar.input.addEventListener('change', () => {
        e.autoResume = ar.input.checked;
      });
      rows.push(h('div', { class: 'opt-row' }, ar.root));
    }
    // update(): name, bufferSize (not servers), persistent.
    const name = h('input', { type: 'text', placeholder: 'name', spellcheck: false, 'aria-label': 'Name', value: e.info?.name ?? '' });
    const buf = h('input', {
      type: 'text',
      class: 'narrow',
      inputMode: 'numeric',
      placeholder: '4096',
      'aria-label': 'Buffer size',
      title: 'bufferSize',
      value: (e.info as tcp.SocketInfo | undefined)?.bufferSize?.toString() ?? '',
    });
    const persistent = checkbox('persistent', e.info?.persistent ?? false);
    const apply = h(
      'button',
      {
        type: 'button',
        title: 'update() with these properties',
        onclick: () => {
          const b = intValue(buf);
          if (Number.isNaN(b)) return report({ ok: false, message: 'bufferSize must be a whole number' });
          void this.workbench
            .update(e, { name: name.value, bufferSize: e.kind === 'tcpServer' ? undefined : b, persistent: persistent.input.checked })
            .then(report);
        },
      },
      'update()',
    );
    const submitOnEnter = (ev: KeyboardEvent) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        apply.click();
      }
    };
    name.addEventListener('keydown', submitOnEnter);
    buf.addEventListener('keydown', submitOnEnter);
    this.propInputs = { name, buf, persistent: persistent.input };
    rows.push(h('div', { class: 'opt-row' }, name, e.kind === 'tcpServer' ? null : buf, persistent.root, apply));
    rows.push(status);
    replace(this.options, ...rows);
  }

  // ---- painting ----------------------------------------------------------------------------------

  /** Repaints what changed since the last call; cheap when nothing did. */
  render(): void {
    const e = this.entry;
    const c = e.conversation.counters;
    setText(this.stats.tx!, formatBytes(c.txBytes));
    setText(this.stats.rx!, formatBytes(c.rxBytes));
    setText(this.stats.txMsgs!, formatCount(c.txMessages));
    setText(this.stats.rxMsgs!, formatCount(c.rxMessages));
    this.stats.tx!.title = `${c.txBytes} bytes`;
    this.stats.rx!.title = `${c.rxBytes} bytes`;
    setText(this.stats.errors!, formatCount(c.errors));
    this.stats.errors!.classList.toggle('bad', c.errors > 0);
    const log = e.conversation.log;
    setText(
      this.logStatus,
      `${formatCount(log.length)} entries · ${formatBytes(log.bytes)} held${log.droppedEntries ? ` · ${formatCount(log.droppedEntries)} oldest dropped (bounded log)` : ''}`,
    );
    this.traffic.render();
    if (this.paintedVersion === e.version) return;
    this.paintedVersion = e.version;
    setText(this.title, `#${e.id}${e.info?.name ? ` ${e.info.name}` : ''}`);
    const st = stateOf(e);
    setText(this.pill, st.word);
    this.pill.className = `pill ${st.tone}`;
    const origin =
      e.acceptedBy !== undefined ? ` · accepted by server #${e.acceptedBy}` : e.origin === 'adopted' ? ' · found with getSockets()' : '';
    const local = e.kind === 'tcp' && e.info?.localAddress !== undefined ? `${formatEndpoint(e.info.localAddress, e.info.localPort)} ` : '';
    setText(this.endpoints, `${local}${endpointsOf(e)}${e.secure ? ' · TLS' : ''}${origin}`);
    const info = e.info as Record<string, unknown> | undefined;
    for (const row of this.infoRows) {
      const v = info?.[row.key];
      setText(row.value, v === undefined ? '—' : typeof v === 'string' ? JSON.stringify(v) : String(v));
      row.value.title = v === undefined ? `${row.key} is absent from getInfo` : `${row.key}: ${String(v)}`;
      row.value.classList.toggle('absent', v === undefined);
      row.value.classList.toggle('flag-on', (row.key === 'paused' && v === true) || (row.key === 'connected' && v === false));
    }
    this.traffic.setEmptyText(this.emptyText());
    const groups = this.options.querySelector('.groups');
    if (groups) setText(groups, e.groups.length ? `joined: ${e.groups.join(', ')}` : 'no multicast groups joined');
    const p = this.propInputs;
    // Show Chrome's current values unless the user is editing them.
    if (p && !this.options.contains(document.activeElement)) {
      p.name.value = e.info?.name ?? '';
      p.buf.value = (e.info as tcp.SocketInfo | undefined)?.bufferSize?.toString() ?? '';
      p.persistent.checked = e.info?.persistent ?? false;
    }
    if (e.kind === 'tcpServer') this.paintConnections();
    if (this.secureButton) {
      const can = secureAvailability(e);
      this.secureButton.disabled = !can.ok;
      this.secureButton.title = can.ok
        ? 'secure() now with default TLS versions (the socket was paused before connect)'
        : `secure() is not available: ${can.reason}`;
      const reason = this.options.querySelector('.secure-reason');
      if (reason) setText(reason, can.ok || e.phase === 'closed' ? '' : `secure(): ${can.reason}`);
    }
    if (this.bindRow) this.bindRow.hidden = e.phase === 'bound' || e.phase === 'closed' || e.bindAt === undefined;
    this.loadTls();
    this.paintResponders();
    this.paintClosed();
    if (!this.busy) this.buildActions();
  }

  /** A closed socket keeps its log (and transcript), but its controls and composer grey out. */
  private paintClosed(): void {
    const closed = this.entry.phase === 'closed';
    if (closed === this.disabledForClose) return;
    this.disabledForClose = closed;
    this.root.classList.toggle('is-closed', closed);
    for (const box of [this.options, this.composer.root]) {
      box.toggleAttribute('inert', closed);
      for (const el of box.querySelectorAll<HTMLInputElement>('button, input, select, textarea')) el.disabled = closed;
    }
    if (closed) this.composer.stop();
  }

  private paintConnections(): void {
    const e = this.entry;
    // Rebuilt only when something shown changed, so a focused row keeps focus.
    const signature = e.accepted
      .map((id) => {
        const c = this.workbench.get('tcp', id);
        return c
          ? `${id}:${c.phase}:${c.info?.paused}:${c.conversation.counters.txBytes}:${c.conversation.counters.rxBytes}:${(c.info as tcp.SocketInfo | undefined)?.peerPort}`
          : `${id}:-`;
      })
      .join(',');
    if (signature === this.connSignature) return;
    this.connSignature = signature;
    if (e.accepted.length === 0) {
      replace(
        this.connList,
        h(
          'p',
          { class: 'muted', style: { margin: '0' } },
          'None yet. Each accepted connection becomes a TCP socket (created paused by Chrome).',
        ),
      );
      return;
    }
    replace(
      this.connList,
      ...e.accepted.map((id) => {
        const c = this.workbench.get('tcp', id);
        if (!c) return h('div', { class: 'conn closed' }, `#${id}`, h('span', { class: 'muted' }, 'removed'), '');
        const t = c.info as tcp.SocketInfo | undefined;
        const counts = c.conversation.counters;
        return h(
          'button',
          {
            type: 'button',
            class: `conn${c.phase === 'closed' ? ' closed' : ''}`,
            title: 'Show this connection',
            onclick: () => this.select(c),
          },
          h('b', null, `#${id}`),
          h('span', { class: 'mono' }, t?.peerAddress !== undefined ? formatEndpoint(t.peerAddress, t.peerPort) : stateOf(c).word),
          h('span', { class: 'mono muted' }, `↑${formatBytes(counts.txBytes)} ↓${formatBytes(counts.rxBytes)}`),
        );
      }),
    );
  }

  /** Redraws the plot and the rates; called a few times a second while visible. */
  tick(now: number): void {
    if (this.entry.kind === 'tcpServer') return this.paintConnections();
    const conv = this.entry.conversation;
    setText(this.stats.txRate!, formatRate(conv.txRate.rate(now)));
    setText(this.stats.rxRate!, formatRate(conv.rxRate.rate(now)));
    this.plot.draw(conv, now);
  }
}
