/**
 * The conversation log: a virtualised list that only ever holds the rows on screen, so a ring of
 * tens of thousands of entries scrolls and floods without the DOM growing. Each entry lays out as
 * one or more fixed-height lines (wrapped text or 16-byte hex lines); a prefix sum of line counts
 * maps the scroll position to entries. Repaints happen only when the app calls render() from its
 * animation frame.
 */
import { decodeForDisplay, hexDumpLine, hexDumpLineCount, type Segment, wrapSegments } from '../lib/bytes';
import type { Conversation, LogEntry } from '../lib/conversation';
import { formatClock } from '../lib/format';
import { h, setText } from './dom';

export type ViewMode = 'text' | 'hex';

const ARROW: Readonly<Record<LogEntry['dir'], string>> = { tx: '→', rx: '←', error: '!', note: '·' };
const DIR_TITLE: Readonly<Record<LogEntry['dir'], string>> = { tx: 'sent', rx: 'received', error: 'error', note: 'note' };

/** Width of the peer column: "#12345 255.255.255.255:65535" fits. */
const PEER_CELLS = 28;

/** `text` padded or cut (with …) to exactly `cells` characters. */
function fit(text: string, cells: number): string {
  return text.length > cells ? `${text.slice(0, cells - 1)}…` : text.padEnd(cells);
}

/** Layouts of recently shown text entries, so scrolling does not re-decode them every frame. */
const TEXT_CACHE_SIZE = 64;
/** Tallest scroll area used; beyond it positions are scaled. */
const MAX_SCROLL_PX = 8_000_000;
/** Time per frame spent decoding for text layout; the rest is estimated and refined later. */
const DECODE_BUDGET_MS = 6;

export class TrafficView {
  readonly root: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly empty: HTMLElement;
  private conversation?: Conversation;
  private mode: ViewMode = 'text';
  private readonly hidden = new Set<LogEntry['dir']>();
  private followTail = true;
  private lineHeight = 18;
  private charWidth = 7.2;
  private cols = 100;
  private prefix: number[] = [0];
  private laidOutVersion = -1;
  private laidOutKey = '';
  private readonly counts = new WeakMap<LogEntry, { key: string; n: number; exact: boolean }>();
  private deadline = 0;
  /** Display lines still to lay out exactly this frame while following (the tail on screen). */
  private exactLines = 0;
  private estimated = false;
  private readonly textCache = new Map<LogEntry, { cols: number; lines: Segment[][] }>();
  private rows: HTMLElement[] = [];
  private programmaticScroll = false;
  private lastWidth = 0;
  private lastHeight = 0;
  private width = 0;
  private height = 0;
  /** Where render() last put scrollTop; reading it back would force a layout mid-flood. */
  private knownScrollTop = 0;
  /** Following: where the next frame puts scrollTop, and that frame's callback. */
  private pendingScrollTop = 0;
  private scrollFrame = 0;
  /** Scroll pixels per layout pixel (1 unless the log is taller than MAX_SCROLL_PX). */
  private scale = 1;
  /** Peers in a column of the gutter (a server's merged log) instead of a line above the payload. */
  private peerColumn = false;

  /** `onFollowChange` tells the toolbar when scrolling turned following on or off. */
  constructor(
    private readonly requestRender: () => void,
    private readonly onFollowChange: (follow: boolean) => void,
  ) {
    this.spacer = h('div', { class: 'log-spacer' });
    this.layer = h('div', { class: 'log-layer' });
    this.empty = h('div', { class: 'log-empty', hidden: true });
    this.root = h(
      'div',
      {
        class: 'log',
        tabIndex: 0,
        role: 'log',
        'aria-label': 'Conversation',
        // role=log is a live region by default; a flooding socket must not flood a screen reader.
        'aria-live': 'off',
        onscroll: () => this.onScroll(),
      },
      this.spacer,
      this.layer,
      this.empty,
    );
    // Geometry comes from the observer, so render() never forces a layout just to read it.
    new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]!.contentRect;
      // Re-attached after showing another socket: the browser reset the scroll position.
      if (this.width === 0 && this.knownScrollTop > 0) {
        this.programmaticScroll = true;
        this.root.scrollTop = this.knownScrollTop;
      }
      this.width = this.root.clientWidth || box.width;
      this.height = this.root.clientHeight || box.height;
      this.requestRender();
    }).observe(this.root);
  }

  setConversation(conversation: Conversation | undefined): void {
    if (conversation === this.conversation) return;
    this.conversation = conversation;
    this.laidOutVersion = -1;
    this.textCache.clear();
    this.followTail = true;
    this.onFollowChange(true);
    this.requestRender();
  }

  /** Which directions are shown; errors always are. Counters and transcripts are unaffected. */
  setHidden(dir: LogEntry['dir'], hidden: boolean): void {
    if (hidden) this.hidden.add(dir);
    else this.hidden.delete(dir);
    this.requestRender();
  }

  setMode(mode: ViewMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.requestRender();
  }

  get follow(): boolean {
    return this.followTail;
  }

  setFollow(follow: boolean): void {
    this.followTail = follow;
    this.onFollowChange(follow);
    this.requestRender();
  }

  /** Shows each entry's peer in a gutter column (a server's merged log of its connections). */
  setPeerColumn(on: boolean): void {
    if (on === this.peerColumn) return;
    this.peerColumn = on;
    this.root.classList.toggle('peer-column', on);
    this.lastWidth = 0;
    this.requestRender();
  }

  /** The text shown when the conversation is empty (what to do next). */
  setEmptyText(text: string): void {
    setText(this.empty, text);
  }

  /** Lays out (when the log or geometry changed) and paints the visible rows. */
  render(): void {
    const conv = this.conversation;
    const { width, height } = this;
    if (width === 0) return;
    if (width !== this.lastWidth || height !== this.lastHeight) this.measure(width, height);
    const key = `${this.mode}:${this.cols}:${this.peerColumn}:${[...this.hidden].sort().join()}`;
    // Following lays out only the tail exactly; leaving it lays out the rest (a new layout key).
    const layoutKey = `${key}:${this.followTail}`;
    if (!conv) {
      this.paintRows(0, 0);
      return;
    }
    if (conv.version !== this.laidOutVersion || layoutKey !== this.laidOutKey) this.layout(conv, key, layoutKey);
    const total = this.prefix[this.prefix.length - 1]!;
    const hideEmpty = conv.log.length > 0;
    if (this.empty.hidden !== hideEmpty) this.empty.hidden = hideEmpty;
    // Browsers cap an element's height (~16-33 Mpx); past MAX_SCROLL_PX the scrollbar is scaled so
    // a log of millions of short lines (a flood of "\n") still scrolls end to end.
    const fullHeight = total * this.lineHeight;
    this.scale = fullHeight > MAX_SCROLL_PX ? MAX_SCROLL_PX / fullHeight : 1;
    const spacerHeight = `${Math.round(fullHeight * this.scale)}px`;
    if (this.spacer.style.height !== spacerHeight) this.spacer.style.height = spacerHeight;
    const maxTop = Math.max(0, Math.round(fullHeight * this.scale) - height);
    // Following, the scroll position catches up at the start of the next frame (applyScroll):
    // written here, after this frame's DOM changes, it would force a synchronous layout of the
    // whole page on every frame of a flood. Until then the tail is pinned to the viewport.
    const lagging = this.followTail && Math.abs(this.knownScrollTop - maxTop) > 1;
    if (lagging) {
      this.pendingScrollTop = maxTop;
      if (this.scrollFrame === 0) this.scrollFrame = requestAnimationFrame(this.applyScroll);
    }
    const viewTop = Math.min(this.knownScrollTop, maxTop);
    const atTail = lagging || this.knownScrollTop >= maxTop - 1;
    const visible = Math.ceil(height / this.lineHeight) + 1;
    // At the bottom, show the last lines exactly; elsewhere map the (possibly scaled) position.
    const first = atTail ? Math.max(0, total - visible + 1) : Math.max(0, Math.floor(this.knownScrollTop / (this.lineHeight * this.scale)));
    const last = Math.min(total, first + visible);
    // Unscaled and in place, rows sit at their true offset; otherwise the layer is pinned to the
    // viewport (its bottom to the viewport's bottom at the tail, so the newest line is never cut off).
    const top =
      this.scale === 1 && !lagging
        ? first * this.lineHeight
        : atTail
          ? Math.max(0, viewTop + height - (last - first) * this.lineHeight)
          : this.knownScrollTop;
    this.paintRows(first, last, top);
  }

  /** Puts the scroll position at the tail while following (see render). */
  private readonly applyScroll = (): void => {
    this.scrollFrame = 0;
    if (!this.followTail || Math.abs(this.knownScrollTop - this.pendingScrollTop) <= 1) return;
    this.programmaticScroll = true;
    this.root.scrollTop = this.pendingScrollTop;
    this.knownScrollTop = this.pendingScrollTop;
    this.requestRender();
  };

  private measure(width: number, height: number): void {
    this.lastWidth = width;
    this.lastHeight = height;
    const probe = h('span', { class: 'log-probe' }, 'M'.repeat(64));
    this.root.appendChild(probe);
    const rect = probe.getBoundingClientRect();
    if (rect.width > 0) this.charWidth = rect.width / 64;
    const lh = parseFloat(getComputedStyle(this.root).getPropertyValue('--log-line')) || 18;
    this.lineHeight = lh;
    probe.remove();
    // The gutter holds "hh:mm:ss.mmm ← 12 345 B": 24 monospace cells plus padding (and the
    // peer column, "#12 127.0.0.1:65535", when shown).
    const gutter = Math.ceil(this.charWidth * (24 + (this.peerColumn ? PEER_CELLS + 1 : 0)) + 16);
    this.root.style.setProperty('--log-gutter', `${gutter}px`);
    this.cols = Math.max(16, Math.floor((width - gutter - 24) / this.charWidth));
  }

  /**
   * Display lines of an entry. Text layout means decoding. While following the tail, a frame
   * decodes only the newest entries that fill the screen and estimates the rest; otherwise it
   * decodes for at most DECODE_BUDGET_MS (newest entries first) and refines the estimates on the
   * following frames. A flood therefore costs a small, bounded amount of time per frame.
   */
  private lineCount(entry: LogEntry, key: string): number {
    // A hidden entry takes no lines; the row walk in paintRows skips it.
    if (this.hidden.has(entry.dir)) return 0;
    const cached = this.counts.get(entry);
    if (cached && cached.key === key && cached.exact) return cached.n;
    let n: number;
    let exact = true;
    // Errors and notes wrap (a long net:: explanation is read, not cut).
    if (!entry.bytes) n = Math.max(1, Math.ceil((entry.text ?? '').length / this.cols));
    else {
      const header = entry.peer && !this.peerColumn ? 1 : 0;
      const length = entry.bytes.byteLength;
      if (length === 0) n = header + 1;
      else if (this.mode === 'hex') n = header + hexDumpLineCount(length);
      else if (this.textCache.has(entry) || this.exactLines > 0 || (!this.followTail && performance.now() < this.deadline)) {
        n = header + this.textLines(entry).length;
      } else {
        if (cached && cached.key === key) return cached.n;
        n = header + Math.max(1, Math.ceil(length / this.cols));
        exact = false;
        // While following, the estimates are above the screen: refined once following stops.
        if (!this.followTail) this.estimated = true;
      }
    }
    this.counts.set(entry, { key, n, exact });
    return n;
  }

  private textLines(entry: LogEntry): Segment[][] {
    const hit = this.textCache.get(entry);
    if (hit && hit.cols === this.cols) {
      // Refresh its place in the insertion-ordered map (least recently used goes first).
      this.textCache.delete(entry);
      this.textCache.set(entry, hit);
      return hit.lines;
    }
    const lines = wrapSegments(decodeForDisplay(entry.bytes!), this.cols);
    this.textCache.set(entry, { cols: this.cols, lines });
    while (this.textCache.size > TEXT_CACHE_SIZE) this.textCache.delete(this.textCache.keys().next().value!);
    return lines;
  }

  private layout(conv: Conversation, key: string, layoutKey: string): void {
    const log = conv.log;
    const counts = new Array<number>(log.length);
    this.deadline = performance.now() + DECODE_BUDGET_MS;
    // Following a flood, only what fills the screen from the bottom is decoded each frame: the
    // newest entries. Decoding up to the time budget every frame cost a flood most of its speed.
    this.exactLines = this.followTail ? Math.ceil(this.height / this.lineHeight) + 1 : 0;
    this.estimated = false;
    // Newest first: while following a flood, the entries on screen are the ones laid out exactly.
    for (let i = log.length - 1; i >= 0; i--) {
      counts[i] = this.lineCount(log.at(i)!, key);
      this.exactLines -= counts[i];
    }
    const prefix = new Array<number>(log.length + 1);
    prefix[0] = 0;
    for (let i = 0; i < log.length; i++) prefix[i + 1] = prefix[i]! + counts[i]!;
    this.prefix = prefix;
    this.laidOutVersion = this.estimated ? -1 : conv.version;
    this.laidOutKey = layoutKey;
    if (this.estimated) this.requestRender();
  }

  /** Index of the entry holding display line `line`. */
  private entryAtLine(line: number): number {
    let lo = 0;
    let hi = this.prefix.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.prefix[mid]! <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private paintRows(from: number, to: number, top = 0): void {
    const needed = to - from;
    while (this.rows.length < needed) {
      const row = h('div', { class: 'row' }, h('span', { class: 'gut' }), h('span', { class: 'txt' }));
      this.rows.push(row);
      this.layer.appendChild(row);
    }
    this.layer.style.transform = `translateY(${top}px)`;
    const conv = this.conversation;
    let index = needed > 0 && conv ? this.entryAtLine(from) : 0;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r]!;
      if (r >= needed || !conv) {
        row.hidden = true;
        continue;
      }
      row.hidden = false;
      const line = from + r;
      while (this.prefix[index + 1]! <= line) index++;
      const entry = conv.log.at(index)!;
      this.paintRow(row, entry, line - this.prefix[index]!);
    }
  }

  private paintRow(row: HTMLElement, entry: LogEntry, lineInEntry: number): void {
    const gut = row.firstChild as HTMLElement;
    const txt = row.lastChild as HTMLElement;
    const cls = `row ${entry.dir}${lineInEntry === 0 ? ' first' : ''}`;
    if (row.className !== cls) row.className = cls;
    if (lineInEntry === 0) {
      // Plain digits: a thin-space group separator would break the monospace column.
      const size = entry.bytes ? `${entry.bytes.byteLength} B` : '';
      const peer = this.peerColumn ? ` ${fit(entry.peer ?? '', PEER_CELLS)}` : '';
      setText(gut, `${formatClock(entry.time)} ${ARROW[entry.dir]}${size.padStart(10)}${peer}`);
      gut.title = `${DIR_TITLE[entry.dir]}${entry.offset !== undefined ? ` at stream offset ${entry.offset}` : ''} (#${entry.seq})`;
    } else {
      setText(gut, '');
      gut.title = '';
    }
    if (!entry.bytes) {
      const text = entry.text ?? '';
      txt.title = text;
      return this.paintPlain(txt, text.slice(lineInEntry * this.cols, (lineInEntry + 1) * this.cols), 'msg');
    }
    txt.title = '';
    let line = lineInEntry;
    if (entry.peer && !this.peerColumn) {
      if (line === 0) return this.paintPlain(txt, `${entry.dir === 'tx' ? 'to' : 'from'} ${entry.peer}`, 'peer');
      line--;
    }
    if (entry.bytes.byteLength === 0) return this.paintPlain(txt, entry.peer ? '(empty datagram)' : '(no bytes)', 'dim');
    if (this.mode === 'hex') return this.paintPlain(txt, hexDumpLine(entry.bytes, line, entry.offset ?? 0), 'hex');
    this.paintSegments(txt, this.textLines(entry)[line] ?? []);
  }

  private paintPlain(txt: HTMLElement, text: string, kind: string): void {
    const cls = `txt ${kind}`;
    if (txt.className !== cls) txt.className = cls;
    if (txt.childNodes.length !== 1 || txt.firstChild!.nodeType !== Node.TEXT_NODE) txt.textContent = text;
    else setText(txt, text);
  }

  private paintSegments(txt: HTMLElement, segments: Segment[]): void {
    if (txt.className !== 'txt') txt.className = 'txt';
    txt.textContent = '';
    for (const seg of segments) {
      if (seg.esc) txt.appendChild(h('span', { class: 'esc' }, seg.text));
      else txt.appendChild(document.createTextNode(seg.text));
    }
  }

  private onScroll(): void {
    this.knownScrollTop = this.root.scrollTop;
    if (this.programmaticScroll) {
      this.programmaticScroll = false;
    } else {
      const atBottom = this.root.scrollTop + this.root.clientHeight >= this.root.scrollHeight - this.lineHeight;
      if (atBottom !== this.followTail) {
        this.followTail = atBottom;
        this.onFollowChange(atBottom);
      }
    }
    this.requestRender();
  }
}
