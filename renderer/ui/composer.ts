/**
 * The send box of one socket: text with escapes (plus an optional line ending), hex, or a file;
 * UDP destination; repeat N times and/or every T ms. Repeats wait for each send callback before
 * the next, so a repeat can never queue more than one send ahead of Chrome.
 */
import type { DnsQueryType } from '../../common/api-types';
import { parseEscapedText, parseHex, type ParseResult, utf8Encode } from '../lib/bytes';
import { formatBytes, formatCount } from '../lib/format';
import type { Recall } from '../lib/recall';
import type { SendTarget, SocketEntry, Workbench } from '../lib/workbench';
import { checkbox, h, intValue, segmented, setText } from './dom';

type Mode = 'text' | 'hex' | 'file';

const LINE_ENDINGS: readonly { value: string; label: string }[] = [
  { value: '', label: 'no line end' },
  { value: '\n', label: '+ \\n' },
  { value: '\r\n', label: '+ \\r\\n' },
  { value: '\r', label: '+ \\r' },
];

const HISTORY_LIMIT = 50;

export class Composer {
  readonly root: HTMLElement;
  private mode: Mode = 'text';
  private readonly modeSwitch: ReturnType<typeof segmented<Mode>>;
  private readonly input: HTMLTextAreaElement;
  private readonly file: HTMLInputElement;
  private readonly lineEnd: HTMLSelectElement;
  private readonly escapes: ReturnType<typeof checkbox>;
  private readonly times: HTMLInputElement;
  private readonly every: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly toAddress: HTMLInputElement;
  private readonly toPort: HTMLInputElement;
  private readonly toDns: HTMLSelectElement;
  private fileBytes?: Uint8Array;
  private running = false;
  private readonly history: Record<'text' | 'hex', string[]> = { text: [], hex: [] };
  private historyIndex = -1;
  private readonly drafts: Record<'text' | 'hex', string> = { text: '', hex: '' };

  constructor(
    private readonly entry: SocketEntry,
    private readonly workbench: Workbench,
    /** Sent messages and named macros, remembered across runs (lib/recall.ts). */
    private readonly recall?: Recall,
  ) {
    this.input = h('textarea', {
      class: 'compose-input',
      rows: 2,
      spellcheck: false,
      autocomplete: 'off',
      'aria-label': 'Message to send',
      oninput: () => this.preview(),
      onkeydown: (ev: KeyboardEvent) => this.onKey(ev),
    });
    this.file = h('input', {
      type: 'file',
      class: 'compose-file',
      hidden: true,
      'aria-label': 'File to send',
      onchange: () => void this.loadFile(),
    });
    this.lineEnd = h(
      'select',
      { 'aria-label': 'Line ending to append', title: 'Appended to each text send' },
      ...LINE_ENDINGS.map((o) => h('option', { value: o.value }, o.label)),
    );
    this.escapes = checkbox('\\ escapes', true, 'Interpret \\r \\n \\t \\0 \\e \\\\ \\xHH \\uXXXX in text');
    this.escapes.input.addEventListener('change', () => this.preview());
    this.lineEnd.addEventListener('change', () => this.preview());
    this.times = h('input', {
      type: 'text',
      inputMode: 'numeric',
      placeholder: '1',
      size: 4,
      'aria-label': 'Times',
      title: 'How many sends; blank with an interval = until stopped',
    });
    this.every = h('input', {
      type: 'text',
      inputMode: 'numeric',
      placeholder: '–',
      size: 5,
      'aria-label': 'Interval in ms',
      title: 'Milliseconds between sends; blank = back to back',
    });
    this.sendButton = h(
      'button',
      {
        type: 'button',
        class: 'primary send',
        title: 'Enter (Shift+Enter for a new line; Esc stops a repeat)',
        onclick: () => this.toggle(),
      },
      entry.kind === 'tcpServer' ? 'Send to all' : 'Send',
    );
    this.status = h('span', { class: 'compose-status', role: 'status', 'aria-live': 'polite' });
    this.toAddress = h('input', {
      type: 'text',
      class: 'addr',
      value: entry.kind === 'udp' ? '127.0.0.1' : '',
      spellcheck: false,
      autocomplete: 'off',
      size: 14,
      'aria-label': 'Destination address',
    });
    this.toPort = h('input', { type: 'text', inputMode: 'numeric', placeholder: 'port', size: 5, 'aria-label': 'Destination port' });
    this.toDns = h(
      'select',
      { 'aria-label': 'DNS query type', title: 'dnsQueryType for udp.send' },
      ...['', 'any', 'ipv4', 'ipv6'].map((v) => h('option', { value: v }, v || 'dns: default')),
    );
    this.modeSwitch = segmented<Mode>(
      'Payload format',
      [
        { value: 'text', label: 'Text' },
        { value: 'hex', label: 'Hex' },
        { value: 'file', label: 'File' },
      ],
      'text',
      (m) => this.setMode(m),
    );
    const dest =
      entry.kind === 'udp'
        ? h(
            'div',
            { class: 'compose-dest' },
            h('span', { class: 'muted' }, 'to'),
            this.toAddress,
            h('span', { class: 'muted' }, ':'),
            this.toPort,
            this.toDns,
          )
        : null;
    this.root = h(
      'div',
      { class: 'composer', role: 'group', 'aria-label': 'Send' },
      h(
        'div',
        { class: 'compose-bar' },
        this.modeSwitch.root,
        h('span', { class: 'text-only' }, this.lineEnd),
        h('span', { class: 'text-only' }, this.escapes.root),
        dest,
        h('span', { class: 'spacer' }),
        this.status,
      ),
      h(
        'div',
        { class: 'compose-main' },
        this.input,
        h('button', { type: 'button', class: 'file-pick', hidden: true, onclick: () => this.file.click() }, 'Choose file…'),
        this.file,
        h(
          'div',
          { class: 'repeat', role: 'group', 'aria-label': 'Repeat' },
          h('label', null, h('span', null, 'times'), this.times),
          h('label', null, h('span', null, 'every'), this.every, h('span', { class: 'muted' }, 'ms')),
        ),
        this.sendButton,
      ),
      this.macroBar(),
    );
    this.setMode('text');
  }

  /** Named macros: one click sends one; "Save as macro" keeps the current text or hex under a name. */
  private macroBar(): HTMLElement | null {
    const recall = this.recall;
    if (!recall) return null;
    const chips = h('span', { class: 'macro-chips' });
    const name = h('input', {
      type: 'text',
      class: 'macro-name',
      placeholder: 'macro name',
      size: 12,
      'aria-label': 'Macro name',
      spellcheck: false,
    });
    const paint = (): void => {
      chips.replaceChildren(
        ...recall.data.macros.map((m) =>
          h(
            'span',
            { class: 'chip macro' },
            h(
              'button',
              {
                type: 'button',
                class: 'macro-send',
                title: `Send ${m.mode === 'hex' ? 'hex ' : ''}${m.text}`,
                onclick: () => void this.sendMacro(m.mode, m.text),
              },
              m.name,
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'macro-del',
                title: `Delete macro ${m.name}`,
                'aria-label': `Delete macro ${m.name}`,
                onclick: () => recall.removeMacro(m.name),
              },
              '×',
            ),
          ),
        ),
      );
    };
    recall.subscribe(paint);
    paint();
    const save = (): void => {
      if (this.mode === 'file') return this.complain('Macros hold text or hex, not files');
      const error = recall.setMacro({ name: name.value, mode: this.mode, text: this.input.value });
      if (error) return this.complain(error);
      this.status.classList.remove('error');
      setText(this.status, `saved macro ${name.value.trim()}`);
      name.value = '';
    };
    name.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        save();
      }
    });
    return h(
      'div',
      { class: 'macro-bar', role: 'group', 'aria-label': 'Macros' },
      h('span', { class: 'muted small' }, 'Macros'),
      chips,
      name,
      h('button', { type: 'button', class: 'macro-save', title: 'Keep the message above under this name', onclick: save }, 'Save as macro'),
    );
  }

  private async sendMacro(mode: 'text' | 'hex', text: string): Promise<void> {
    if (this.running) return;
    const p = mode === 'hex' ? parseHex(text) : parseEscapedText(text);
    if (!p.ok) return this.complain(`macro: ${p.error}`);
    const to = this.target();
    if (typeof to === 'string') return this.complain(to);
    await this.repeat(p.bytes, to, 1, 0);
  }

  focus(): void {
    if (this.mode === 'file') (this.root.querySelector('.file-pick') as HTMLElement).focus();
    else this.input.focus();
  }

  get busy(): boolean {
    return this.running;
  }

  stop(): void {
    this.running = false;
  }

  private setMode(mode: Mode): void {
    if (this.mode !== 'file') this.drafts[this.mode] = this.input.value;
    this.mode = mode;
    this.modeSwitch.set(mode);
    const fileMode = mode === 'file';
    this.input.hidden = fileMode;
    (this.root.querySelector('.file-pick') as HTMLElement).hidden = !fileMode;
    for (const el of this.root.querySelectorAll<HTMLElement>('.text-only')) el.hidden = mode !== 'text';
    if (!fileMode) {
      this.input.value = this.drafts[mode];
      const what =
        this.entry.kind === 'udp'
          ? 'Datagram text, e.g. hello\\n'
          : this.entry.kind === 'tcpServer'
            ? 'Text for every accepted connection, e.g. hello all\\r\\n'
            : 'Text to send, e.g. GET / HTTP/1.0\\r\\n\\r\\n';
      this.input.placeholder = mode === 'text' ? `${what} — Enter sends` : 'Hex bytes, e.g. 48 65 6c 6c 6f 0d 0a — Enter sends';
      this.input.classList.toggle('mono', true);
    }
    this.historyIndex = -1;
    this.preview();
  }

  private async loadFile(): Promise<void> {
    const f = this.file.files?.[0];
    if (!f) return;
    this.fileBytes = new Uint8Array(await f.arrayBuffer());
    (this.root.querySelector('.file-pick') as HTMLElement).textContent = `${f.name} (${formatBytes(f.size)})`;
    this.preview();
  }

  /** The payload as bytes, or why it cannot be sent. */
  private payload(): ParseResult {
    if (this.mode === 'file') {
      return this.fileBytes ? { ok: true, bytes: this.fileBytes } : { ok: false, error: 'Choose a file first', index: 0 };
    }
    const raw = this.input.value;
    if (this.mode === 'hex') return parseHex(raw);
    const body = this.escapes.input.checked ? parseEscapedText(raw) : { ok: true as const, bytes: utf8Encode(raw) };
    if (!body.ok || !this.lineEnd.value) return body;
    const end = utf8Encode(this.lineEnd.value);
    const out = new Uint8Array(body.bytes.length + end.length);
    out.set(body.bytes);
    out.set(end, body.bytes.length);
    return { ok: true, bytes: out };
  }

  private preview(): void {
    if (this.running) return;
    const p = this.payload();
    this.status.classList.toggle('error', !p.ok && this.input.value !== '');
    if (p.ok) setText(this.status, `${formatCount(p.bytes.length)} byte${p.bytes.length === 1 ? '' : 's'}`);
    else
      setText(
        this.status,
        this.mode !== 'file' && this.input.value === '' ? '' : `${p.error}${this.mode !== 'file' ? ` (at character ${p.index + 1})` : ''}`,
      );
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.altKey && !ev.isComposing) {
      ev.preventDefault();
      this.toggle();
      return;
    }
    if (ev.key === 'Escape' && this.running) {
      ev.preventDefault();
      this.stop();
      return;
    }
    // History, shell-style, only when the caret is on the first/last line so editing still works.
    if (this.mode === 'file' || ev.altKey || ev.ctrlKey) return;
    const hist = this.recall ? this.recall.messages(this.mode) : this.history[this.mode];
    const before = this.input.value.slice(0, this.input.selectionStart);
    const after = this.input.value.slice(this.input.selectionEnd);
    if (ev.key === 'ArrowUp' && !before.includes('\n') && hist.length) {
      ev.preventDefault();
      this.historyIndex = Math.min(hist.length - 1, this.historyIndex + 1);
      this.input.value = hist[hist.length - 1 - this.historyIndex]!;
      this.preview();
    } else if (ev.key === 'ArrowDown' && !after.includes('\n') && this.historyIndex >= 0) {
      ev.preventDefault();
      this.historyIndex--;
      this.input.value = this.historyIndex < 0 ? '' : hist[hist.length - 1 - this.historyIndex]!;
      this.preview();
    }
  }

  /** Send, or stop the repeat that is running. */
  toggle(): void {
    if (this.running) this.stop();
    else void this.send();
  }

  private target(): SendTarget | string | undefined {
    if (this.entry.kind !== 'udp') return undefined;
    const port = intValue(this.toPort);
    if (!this.toAddress.value.trim()) return 'Enter a destination address';
    if (port === undefined || Number.isNaN(port) || port < 0 || port > 65535) return 'Enter a destination port (0–65535)';
    return { address: this.toAddress.value.trim(), port, dnsQueryType: (this.toDns.value || undefined) as DnsQueryType | undefined };
  }

  private async send(): Promise<void> {
    const p = this.payload();
    if (!p.ok) {
      this.status.classList.add('error');
      setText(this.status, p.error);
      return;
    }
    const to = this.target();
    if (typeof to === 'string') {
      this.status.classList.add('error');
      setText(this.status, to);
      return;
    }
    const timesRaw = intValue(this.times);
    const everyRaw = intValue(this.every);
    if (Number.isNaN(timesRaw) || (timesRaw ?? 1) < 0)
      return this.complain('Times must be a whole number (blank = 1, or forever with an interval)');
    if (Number.isNaN(everyRaw) || (everyRaw ?? 0) < 0) return this.complain('Interval must be a whole number of ms');
    const every = everyRaw ?? 0;
    const times = timesRaw ?? (every > 0 ? 0 : 1);
    if (this.mode !== 'file') this.remember(this.input.value);
    await this.repeat(p.bytes, to, times, every);
  }

  private complain(message: string): void {
    this.status.classList.add('error');
    setText(this.status, message);
  }

  private remember(text: string): void {
    if (this.mode === 'file' || text === '') return;
    this.recall?.addMessage({ mode: this.mode, text });
    const hist = this.history[this.mode];
    if (hist[hist.length - 1] !== text) hist.push(text);
    if (hist.length > HISTORY_LIMIT) hist.shift();
    this.historyIndex = -1;
  }

  /** `times` 0 means until stopped. */
  private async repeat(bytes: Uint8Array, to: SendTarget | undefined, times: number, every: number): Promise<void> {
    this.running = times !== 1;
    this.sendButton.textContent = this.running ? 'Stop' : this.entry.kind === 'tcpServer' ? 'Send to all' : 'Send';
    this.sendButton.classList.toggle('danger', this.running);
    this.status.classList.remove('error');
    let sent = 0;
    const started = performance.now();
    try {
      do {
        const t0 = performance.now();
        const r = await this.workbench.send(this.entry, bytes, to);
        if (!r.ok) {
          this.complain(`${r.message}${sent ? ` (after ${sent} sends)` : ''}`);
          return;
        }
        sent++;
        if (times !== 1)
          setText(
            this.status,
            `sent ${formatCount(sent)}${times ? ` of ${formatCount(times)}` : ''} · ${formatBytes(sent * bytes.length)} in ${((performance.now() - started) / 1000).toFixed(1)} s${this.running ? ' — Esc or Stop to end' : ''}`,
          );
        if (!this.running || (times && sent >= times)) break;
        const wait = every > 0 ? Math.max(0, every - (performance.now() - t0)) : sent % 32 === 0 ? 0 : -1;
        // Back-to-back repeats still yield now and then so input and painting keep up.
        if (wait >= 0) await new Promise((r) => setTimeout(r, wait));
      } while (this.running);
      if (times === 1) setText(this.status, `sent ${formatCount(bytes.length)} byte${bytes.length === 1 ? '' : 's'}`);
    } finally {
      this.running = false;
      this.sendButton.textContent = this.entry.kind === 'tcpServer' ? 'Send to all' : 'Send';
      this.sendButton.classList.remove('danger');
    }
  }
}
