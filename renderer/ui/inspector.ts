/**
 * The inspector: a read-only table of every socket of every attached app, from the host's
 * inspection API. Polls only while shown and the page is visible, never with two requests
 * outstanding, at most every POLL_MS.
 */
import type { InspectProvider, InspectSnapshot, InspectSocket, TapProvider } from '../../common/inspect-types';
import { netErrorMessage, netErrorShortName } from '../../common/net-errors';
import { formatBytes, formatClock, formatEndpoint, formatRate } from '../lib/format';
import { KIND_NAME, matchesFilter, RateTracker, sortSockets, summariseApps } from '../lib/inspect-model';
import { h, replace, setText } from './dom';
import { TapView } from './tap-view';

export const POLL_MS = 500;

const PAUSE_CHIP = {
  app: ['warn', 'The app called setPaused(true), or an accepted socket not yet resumed'],
  error: ['err', 'Chrome paused it after an error event or disconnect'],
  flow: ['flow', 'Host flow control: the app has not acknowledged enough received data'],
} as const;

function pauseChips(s: InspectSocket): HTMLElement {
  const chips = s.pausedBy.map((r) => h('span', { class: `chip ${PAUSE_CHIP[r]?.[0] ?? ''}`, title: PAUSE_CHIP[r]?.[1] ?? r }, r));
  return h('span', { class: 'chips' }, ...(chips.length ? chips : [h('span', { class: 'muted' }, s.paused ? 'paused' : '–')]));
}

export class InspectorPanel {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly summary: HTMLElement;
  private readonly rates = new RateTracker();
  private timer?: ReturnType<typeof setTimeout>;
  private active = false;
  private inFlight = false;
  private last?: InspectSnapshot;
  private readonly followArea: HTMLElement;
  private following?: TapView;
  private frame = 0;

  /** With `tap`, each row can be followed live (traffic and calls; main/tap.ts). */
  constructor(
    private readonly provider: InspectProvider,
    private readonly tap?: TapProvider,
  ) {
    this.followArea = h('div', { class: 'follow-area', hidden: true });
    this.status = h('span', { class: 'muted', role: 'status' }, 'not polled yet');
    this.filter = h('input', {
      type: 'search',
      placeholder: 'Filter (app, #id, address, state, paused:flow)',
      'aria-label': 'Filter sockets',
      size: 42,
      oninput: () => this.paint(),
    });
    this.summary = h('div', { class: 'insp-summary' });
    this.body = h('div', { class: 'insp-body' });
    this.root = h(
      'section',
      { class: 'inspector', 'aria-label': 'Inspector' },
      h('div', { class: 'insp-bar' }, h('h2', null, 'All sockets of all apps'), this.filter, h('span', { class: 'spacer' }), this.status),
      this.summary,
      this.body,
      this.followArea,
    );
    document.addEventListener('visibilitychange', () => this.schedule(0));
  }

  /** Opens a live view of one socket of any app (the host records it only while open). */
  follow(s: Pick<InspectSocket, 'kind' | 'id' | 'app'>): void {
    if (!this.tap) return;
    this.stopFollowing();
    const view: TapView = new TapView(
      this.tap,
      s.kind,
      s.id,
      s.app,
      () => {
        if (!this.frame)
          this.frame = requestAnimationFrame(() => {
            this.frame = 0;
            view.render();
          });
      },
      () => this.stopFollowing(),
    );
    this.following = view;
    replace(this.followArea, view.root);
    this.followArea.hidden = false;
    void view.start();
    if (this.last) this.paint();
  }

  stopFollowing(): void {
    this.following?.stop();
    this.following = undefined;
    this.followArea.hidden = true;
    replace(this.followArea);
    if (this.last) this.paint();
  }

  /** Starts or stops polling (the panel polls only while it is shown). */
  setActive(active: boolean): void {
    this.active = active;
    if (active) this.schedule(0);
    else if (this.timer) clearTimeout(this.timer);
  }

  focusFilter(): void {
    this.filter.focus();
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
      const at = snap.takenAt ?? Date.now();
      this.rates.update(snap, at);
      this.last = snap;
      this.status.className = 'muted';
      setText(this.status, `updated ${formatClock(at)}`);
      this.paint();
    } catch (err) {
      this.status.className = 'error';
      setText(this.status, `inspection failed: ${err instanceof Error ? err.message : String(err)}; retrying`);
    } finally {
      this.inFlight = false;
      this.schedule(Math.max(0, POLL_MS - (Date.now() - started)));
    }
  }

  private paint(): void {
    const snap = this.last;
    if (!snap) return;
    const apps = summariseApps(snap);
    const flowHeld = snap.sockets.filter((s) => s.pausedBy.includes('flow')).length;
    replace(
      this.summary,
      h(
        'span',
        null,
        `${apps.length} app${apps.length === 1 ? '' : 's'} · ${snap.contexts.length} context${snap.contexts.length === 1 ? '' : 's'} · ${snap.sockets.length} socket${snap.sockets.length === 1 ? '' : 's'}`,
      ),
      flowHeld ? h('span', { class: 'chip flow' }, `${flowHeld} held by flow control`) : null,
      ...apps.map((a) =>
        h(
          'span',
          {
            class: `app-tag${a.flowBlocked ? ' blocked' : ''}`,
            title:
              a.contexts
                .map(
                  (c) =>
                    `context ${c.id}${c.label ? ` “${c.label}”` : ''}${c.background ? ' (background)' : ''}${c.unackedBytes !== undefined ? `, ${formatBytes(c.unackedBytes)} unacknowledged` : ''}${c.flowBlocked ? ', over the high-water mark' : ''}`,
                )
                .join('\n') || 'no attached context',
          },
          h('b', null, a.app),
          ` ${a.contexts.length} ctx · ${a.sockets} sock`,
          a.writeQuota ? ` · quota ${formatBytes(a.writeQuota.used)} / ${formatBytes(a.writeQuota.limit)}` : '',
          a.flowBlocked ? h('span', { class: 'chip flow' }, 'flow-blocked') : null,
        ),
      ),
    );
    if (snap.sockets.length === 0) {
      replace(
        this.body,
        h(
          'p',
          { class: 'empty-state' },
          snap.contexts.length
            ? 'No app has a socket open. Sockets appear here as soon as any attached app creates one.'
            : 'No app is attached to the host yet. Open an app window that uses chrome.sockets.',
        ),
      );
      return;
    }
    const rows = sortSockets(snap.sockets.filter((s) => matchesFilter(s, this.filter.value))).map((s) => {
      const rate = this.rates.rate(s);
      const followed = this.following?.kind === s.kind && this.following.id === s.id;
      return h(
        'tr',
        { class: `st-${s.state}${followed ? ' followed' : ''}` },
        this.tap
          ? h(
              'td',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'follow-btn',
                  'aria-pressed': String(followed),
                  title: `Follow ${s.app}'s ${s.kind} socket ${s.id} live: traffic both ways and its calls`,
                  onclick: () => (followed ? this.stopFollowing() : this.follow(s)),
                },
                followed ? 'Following' : 'Follow',
              ),
            )
          : null,
        h('td', { class: 'app-cell' }, s.app),
        h('td', null, h('span', { class: `kind k-${s.kind}` }, KIND_NAME[s.kind])),
        h('td', { class: 'num' }, String(s.id)),
        h(
          'td',
          null,
          s.name ?? '',
          s.persistent ? h('span', { class: 'chip', title: 'persistent: survives the background page' }, 'P') : null,
        ),
        h(
          'td',
          null,
          s.state,
          s.secure ? ' · TLS' : '',
          s.acceptedBy !== undefined ? h('span', { class: 'muted' }, ` ← #${s.acceptedBy}`) : null,
        ),
        h('td', { class: 'mono' }, formatEndpoint(s.localAddress, s.localPort)),
        h(
          'td',
          { class: 'mono' },
          s.peerAddress !== undefined
            ? formatEndpoint(s.peerAddress, s.peerPort)
            : s.groups?.length
              ? `groups ${s.groups.join(', ')}`
              : '–',
        ),
        h('td', null, pauseChips(s)),
        h(
          'td',
          {
            class: 'num',
            title: s.messagesReceived !== undefined ? `${s.bytesReceived} B in ${s.messagesReceived} events` : `${s.bytesReceived} B`,
          },
          formatBytes(s.bytesReceived),
        ),
        h(
          'td',
          { class: 'num', title: s.messagesSent !== undefined ? `${s.bytesSent} B in ${s.messagesSent} sends` : `${s.bytesSent} B` },
          formatBytes(s.bytesSent),
        ),
        h('td', { class: 'num' }, rate === undefined ? '–' : formatRate(rate)),
        h('td', { class: 'num' }, s.bytesInFlight ? formatBytes(s.bytesInFlight) : '–'),
        s.lastErrorCode
          ? h(
              'td',
              { class: 'error', title: `${netErrorMessage(s.lastErrorCode)} (${s.lastErrorCode})` },
              netErrorShortName(s.lastErrorCode),
            )
          : h('td', { class: 'muted' }, '–'),
      );
    });
    if (rows.length === 0) {
      replace(this.body, h('p', { class: 'empty-state' }, `No socket matches “${this.filter.value}”.`));
      return;
    }
    const head = h(
      'tr',
      null,
      ...[
        ...(this.tap ? [''] : []),
        'App',
        'Kind',
        'ID',
        'Name',
        'State',
        'Local',
        'Peer',
        'Paused by',
        'Received',
        'Sent',
        'Rate',
        'In flight',
        'Last error',
      ].map((t) => h('th', { scope: 'col' }, t)),
    );
    replace(this.body, h('table', { class: 'insp-table' }, h('thead', null, head), h('tbody', null, ...rows)));
  }
}
