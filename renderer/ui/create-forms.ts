/**
 * The "New socket" forms: a TCP client (with TLS), a TCP server and a UDP socket. Each form
 * validates what the window can know locally and hands the rest to the Workbench, which logs
 * Chrome's own errors in the new socket's conversation.
 */
import type { DnsQueryType } from '../../common/api-types';
import type { Recall } from '../lib/recall';
import type { ActionResult, SocketEntry, Workbench } from '../lib/workbench';
import { checkbox, field, h, intValue, segmented, setText } from './dom';

type FormKind = 'tcp' | 'tcpServer' | 'udp';

/**
 * bufferSize of the window's own UDP sockets: the largest UDP payload over IPv4 fits, so no
 * datagram the user sends is dropped with -142. The API's default (4096, Chrome's) is unchanged.
 */
export const UDP_WINDOW_BUFFER_SIZE = 65535;

const DNS_OPTIONS: readonly { value: '' | DnsQueryType; label: string }[] = [
  { value: '', label: 'default (any)' },
  { value: 'any', label: 'any' },
  { value: 'ipv4', label: 'ipv4' },
  { value: 'ipv6', label: 'ipv6' },
];
const TLS_OPTIONS = ['', 'tls1.2', 'tls1.3'];

function select<T extends string>(options: readonly { value: T; label: string }[], initial: T): HTMLSelectElement {
  const el = h('select', null, ...options.map((o) => h('option', { value: o.value, selected: o.value === initial }, o.label)));
  return el;
}

function tlsSelect(): HTMLSelectElement {
  return select(
    TLS_OPTIONS.map((v) => ({ value: v, label: v || 'default' })),
    '',
  );
}

interface PortCheck {
  port?: number;
  error?: string;
}

function readPort(input: HTMLInputElement, label: string, required: boolean): PortCheck {
  const v = intValue(input);
  if (v === undefined) return required ? { error: `${label} is required` } : { port: 0 };
  if (Number.isNaN(v) || v < 0 || v > 65535) return { error: `${label} must be a whole number from 0 to 65535` };
  return { port: v };
}

function readOptionalInt(input: HTMLInputElement, label: string, min: number, max: number): { value?: number; error?: string } {
  const v = intValue(input);
  if (v === undefined) return {};
  if (Number.isNaN(v) || v < min || v > max) return { error: `${label} must be a whole number from ${min} to ${max}` };
  return { value: v };
}

export class CreateForms {
  readonly root: HTMLElement;
  private readonly tabs: ReturnType<typeof segmented<FormKind>>;
  private readonly forms: Record<FormKind, HTMLFormElement>;
  private readonly status: HTMLElement;

  constructor(
    private readonly workbench: Workbench,
    private readonly onCreated: (entry: SocketEntry) => void,
    private readonly recall?: Recall,
  ) {
    this.status = h('div', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
    this.forms = { tcp: this.tcpForm(), tcpServer: this.serverForm(), udp: this.udpForm() };
    this.tabs = segmented<FormKind>(
      'Socket kind',
      [
        { value: 'tcp', label: 'TCP client', title: 'Alt+1' },
        { value: 'tcpServer', label: 'TCP server', title: 'Alt+2' },
        { value: 'udp', label: 'UDP', title: 'Alt+3' },
      ],
      'tcp',
      (k) => this.show(k, false),
    );
    this.root = h(
      'section',
      { class: 'create', 'aria-label': 'New socket' },
      h('h2', null, 'New socket'),
      this.tabs.root,
      this.forms.tcp,
      this.forms.tcpServer,
      this.forms.udp,
      this.status,
    );
    this.show('tcp', false);
  }

  /** Shows one form; with `focus`, puts the caret in its first field (the Alt+1..3 shortcuts). */
  show(kind: FormKind, focus: boolean): void {
    this.tabs.set(kind);
    for (const [k, form] of Object.entries(this.forms)) form.hidden = k !== kind;
    setText(this.status, '');
    if (focus) (this.forms[kind].querySelector('input, select') as HTMLElement | null)?.focus();
  }

  private async run(button: HTMLButtonElement, work: () => Promise<SocketEntry | ActionResult | string>): Promise<void> {
    button.disabled = true;
    setText(this.status, '');
    this.status.className = 'form-status';
    try {
      const r = await work();
      if (typeof r === 'string') this.fail(r);
      else if ('ok' in r) {
        if (!r.ok) this.fail(r.message);
      } else {
        this.onCreated(r);
      }
    } finally {
      button.disabled = false;
    }
  }

  private fail(message: string): void {
    this.status.className = 'form-status error';
    setText(this.status, message);
  }

  private tcpForm(): HTMLFormElement {
    const host = h('input', {
      type: 'text',
      value: '127.0.0.1',
      required: true,
      spellcheck: false,
      autocomplete: 'off',
      placeholder: 'host or IP',
    });
    const port = h('input', { type: 'text', inputMode: 'numeric', placeholder: 'e.g. 7', size: 6 });
    const dns = select(DNS_OPTIONS, '');
    const tls = checkbox('TLS (secure)', false, 'create → setPaused(true) → connect → secure → setPaused(false), as Chrome requires');
    const tlsMin = tlsSelect();
    const tlsMax = tlsSelect();
    const tlsRow = h('div', { class: 'row2', hidden: true }, field('TLS min', tlsMin), field('TLS max', tlsMax));
    tls.input.addEventListener('change', () => {
      tlsRow.hidden = !tls.input.checked;
    });
    const more = this.propsFields(true);
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Connect');
    // Recent targets (remembered across runs): one click fills the form.
    const recent = h('div', { class: 'recent-targets', role: 'group', 'aria-label': 'Recent targets' });
    const paintRecent = (): void => {
      const targets = [...(this.recall?.data.targets ?? [])].reverse();
      recent.hidden = targets.length === 0;
      recent.replaceChildren(
        h('span', { class: 'muted small' }, 'Recent'),
        ...targets.map((t) =>
          h(
            'button',
            {
              type: 'button',
              class: 'chip recent',
              title: `Fill in ${t.host}:${t.port}${t.tls ? ' with TLS' : ''}`,
              onclick: () => {
                host.value = t.host;
                port.value = String(t.port);
                tls.input.checked = !!t.tls;
                tlsRow.hidden = !t.tls;
              },
            },
            `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${t.tls ? ' TLS' : ''}`,
          ),
        ),
      );
    };
    this.recall?.subscribe(paintRecent);
    paintRecent();
    const form = h(
      'form',
      { class: 'create-form', 'aria-label': 'New TCP client' },
      h('div', { class: 'row2 host-port' }, field('Host', host), field('Port', port)),
      h('div', { class: 'row2' }, field('DNS', dns), h('div', { class: 'field tls-toggle' }, tls.root)),
      tlsRow,
      more.root,
      h('div', { class: 'actions' }, submit),
      recent,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.run(submit, async () => {
        const p = readPort(port, 'Port', true);
        if (p.error) return p.error;
        if (!host.value.trim()) return 'Host is required';
        const props = more.read();
        if (typeof props === 'string') return props;
        this.recall?.addTarget({ host: host.value.trim(), port: p.port!, ...(tls.input.checked ? { tls: true } : {}) });
        return this.workbench.createTcpClient({
          host: host.value.trim(),
          port: p.port!,
          dnsQueryType: (dns.value || undefined) as DnsQueryType | undefined,
          ...props,
          tls: tls.input.checked ? { min: tlsMin.value || undefined, max: tlsMax.value || undefined } : undefined,
        });
      });
    });
    return form;
  }

  private serverForm(): HTMLFormElement {
    const address = h('input', {
      type: 'text',
      value: '127.0.0.1',
      spellcheck: false,
      autocomplete: 'off',
      placeholder: 'IP literal, e.g. 0.0.0.0',
    });
    const port = h('input', { type: 'text', inputMode: 'numeric', placeholder: '0 = any', size: 6 });
    const backlog = h('input', { type: 'text', inputMode: 'numeric', placeholder: 'SOMAXCONN', size: 6 });
    const more = this.propsFields(false);
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Listen');
    const form = h(
      'form',
      { class: 'create-form', 'aria-label': 'New TCP server' },
      h('div', { class: 'row2 host-port' }, field('Address', address), field('Port', port)),
      h('div', { class: 'row2' }, field('Backlog', backlog), h('div')),
      more.root,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.run(submit, async () => {
        const p = readPort(port, 'Port', false);
        if (p.error) return p.error;
        const b = readOptionalInt(backlog, 'Backlog', 0, 65535);
        if (b.error) return b.error;
        const props = more.read();
        if (typeof props === 'string') return props;
        return this.workbench.createTcpServer({
          address: address.value.trim(),
          port: p.port!,
          backlog: b.value,
          name: props.name,
          persistent: props.persistent,
        });
      });
    });
    return form;
  }

  private udpForm(): HTMLFormElement {
    const address = h('input', { type: 'text', value: '0.0.0.0', spellcheck: false, autocomplete: 'off', placeholder: 'IP literal' });
    const port = h('input', { type: 'text', inputMode: 'numeric', placeholder: '0 = any', size: 6 });
    const broadcast = checkbox('Broadcast', false, 'setBroadcast(true) after bind');
    const ttl = h('input', { type: 'text', inputMode: 'numeric', placeholder: 'default', size: 4 });
    const loopback = select(
      [
        { value: '', label: 'default' },
        { value: 'on', label: 'on' },
        { value: 'off', label: 'off' },
      ],
      '',
    );
    const more = this.propsFields(true, UDP_WINDOW_BUFFER_SIZE);
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Bind');
    const form = h(
      'form',
      { class: 'create-form', 'aria-label': 'New UDP socket' },
      h('div', { class: 'row2 host-port' }, field('Bind address', address), field('Port', port)),
      h(
        'div',
        { class: 'row3' },
        field('Multicast TTL', ttl),
        field('Loopback', loopback),
        h('div', { class: 'field tls-toggle' }, broadcast.root),
      ),
      more.root,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.run(submit, async () => {
        const p = readPort(port, 'Port', false);
        if (p.error) return p.error;
        const t = readOptionalInt(ttl, 'Multicast TTL', 0, 255);
        if (t.error) return t.error;
        const props = more.read();
        if (typeof props === 'string') return props;
        return this.workbench.createUdp({
          address: address.value.trim(),
          port: p.port!,
          ...props,
          broadcast: broadcast.input.checked,
          multicastTtl: t.value,
          multicastLoopback: loopback.value === '' ? undefined : loopback.value === 'on',
        });
      });
    });
    return form;
  }

  /**
   * The SocketProperties fields, folded away: name, bufferSize (not for servers), persistent.
   * `defaultBufferSize` pre-fills bufferSize (the window's UDP sockets) and says so.
   */
  private propsFields(withBufferSize: boolean, defaultBufferSize?: number) {
    const name = h('input', { type: 'text', placeholder: 'optional', spellcheck: false, autocomplete: 'off' });
    const bufferSize = h('input', {
      type: 'text',
      inputMode: 'numeric',
      placeholder: '4096',
      size: 6,
      value: defaultBufferSize === undefined ? '' : String(defaultBufferSize),
      'aria-label': 'Buffer size',
    });
    const persistent = checkbox('Persistent', false, "Survives the app's background page unloading");
    const root = h(
      'details',
      { class: 'more' },
      h(
        'summary',
        null,
        'Properties',
        defaultBufferSize !== undefined
          ? h('span', { class: 'muted' }, ` · bufferSize ${defaultBufferSize} (Chrome's default: 4096)`)
          : null,
      ),
      h('div', { class: 'row2' }, field('Name', name), withBufferSize ? field('Buffer size', bufferSize) : h('div')),
      defaultBufferSize !== undefined
        ? h(
            'p',
            { class: 'field-hint buffer-hint' },
            `The window's UDP sockets default to ${defaultBufferSize} so no datagram is dropped; Chrome's API default stays 4096 (clear the field to use it).`,
          )
        : null,
      persistent.root,
    );
    return {
      root,
      read: (): { name?: string; bufferSize?: number; persistent?: boolean } | string => {
        const b = withBufferSize ? readOptionalInt(bufferSize, 'Buffer size', -(2 ** 31), 2 ** 31 - 1) : {};
        if (b.error) return b.error;
        return { name: name.value || undefined, bufferSize: b.value, persistent: persistent.input.checked || undefined };
      },
    };
  }
}
