/**
 * The socket debugging window. Everything it does goes through the `chrome` it is handed (the
 * public chrome.sockets API) and, when given, an inspection provider; where they come from is
 * boot.ts's business.
 */
import type { InspectProvider, TapProvider } from '../common/inspect-types';
import type { RecallStore } from '../common/window-recall';
import { Recall } from './lib/recall';
import { localStorageStore } from './ui/local-recall';
import type { SocketsChrome } from './lib/chrome-types';
import { CreateForms } from './ui/create-forms';
import { h, replace, setText } from './ui/dom';
import { createHelp } from './ui/help';
import { InspectorPanel } from './ui/inspector';
import { SocketList } from './ui/socket-list';
import { SocketView } from './ui/socket-view';
import { type SocketEntry, Workbench } from './lib/workbench';

export interface AppOptions {
  /** Host inspection; without it the Inspector tab is not shown. */
  inspect?: InspectProvider;
  /** Shown in the header: where `chrome` came from ("Electron", "browser host", …). */
  source?: string;
  /** The app the window's sockets belong to, for the window title. */
  appName?: string;
  /** The host's tap: the Inspector's rows then open any app's socket live. */
  tap?: TapProvider;
  /** Where recent targets, sent messages and macros are kept; localStorage by default. */
  recall?: RecallStore;
}

export interface AppHandle {
  readonly workbench: Workbench;
  /** Shows a socket's view (by `kind:id` key); for scripted previews and browser tests. */
  select(key: string): void;
  dispose(): void;
}

/** Plot and rate refresh cadence; repaints of the log itself are per animation frame. */
const TICK_MS = 250;
/** How often getInfo is re-read for the selected socket, and for all sockets. */
const INFO_SELECTED_MS = 1000;
const INFO_ALL_MS = 5000;

export function startApp(root: HTMLElement, chrome: SocketsChrome, options: AppOptions = {}): AppHandle {
  let frame = 0;
  const requestRender = () => {
    if (!frame) frame = requestAnimationFrame(render);
  };
  const workbench = new Workbench(chrome, requestRender);
  const recall = new Recall(options.recall ?? localStorageStore());
  void recall.load();
  const views = new Map<string, SocketView>();
  let selected: SocketView | undefined;
  let tab: 'workbench' | 'inspector' = 'workbench';

  const list = new SocketList(workbench, (e) => select(e));
  const forms = new CreateForms(workbench, (e) => select(e, true), recall);
  const main = h('main', { class: 'main', id: 'main' });
  const empty = h(
    'div',
    { class: 'empty-state big' },
    h('h1', null, 'No socket selected'),
    h('p', null, 'Create one on the left:'),
    h(
      'ul',
      null,
      h(
        'li',
        null,
        h('b', null, 'TCP client'),
        ' — connect to a server (optionally with TLS) and talk to it. ',
        h('kbd', null, 'Alt'),
        '+',
        h('kbd', null, '1'),
      ),
      h(
        'li',
        null,
        h('b', null, 'TCP server'),
        ' — listen and watch connections arrive; each becomes a socket of its own. ',
        h('kbd', null, 'Alt'),
        '+',
        h('kbd', null, '2'),
      ),
      h(
        'li',
        null,
        h('b', null, 'UDP'),
        ' — bind, send datagrams, join multicast groups. ',
        h('kbd', null, 'Alt'),
        '+',
        h('kbd', null, '3'),
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      'Everything here uses the public chrome.sockets API, so what you see is what an app sees. Press ',
      h('kbd', null, '?'),
      ' for keyboard shortcuts.',
    ),
  );
  replace(main, empty);

  const help = createHelp();
  const inspector = options.inspect ? new InspectorPanel(options.inspect, options.tap) : undefined;
  const tabButtons = {
    workbench: h('button', { type: 'button', role: 'tab', class: 'tab', onclick: () => setTab('workbench') }, 'Workbench'),
    inspector: h('button', { type: 'button', role: 'tab', class: 'tab', title: 'Alt+I', onclick: () => setTab('inspector') }, 'Inspector'),
  };
  const workbenchPane = h('div', { class: 'workbench', role: 'tabpanel' }, h('aside', { class: 'sidebar' }, forms.root, list.root), main);
  const inspectorPane = inspector ? h('div', { class: 'inspector-pane', role: 'tabpanel', hidden: true }, inspector.root) : null;
  const sidebarToggle = h(
    'button',
    {
      type: 'button',
      class: 'sidebar-toggle',
      'aria-label': 'Show the socket list and forms',
      title: 'Sockets and forms (the window is narrow)',
      onclick: () => root.classList.toggle('sidebar-open'),
    },
    '☰ Sockets',
  );
  const header = h(
    'header',
    { class: 'topbar' },
    sidebarToggle,
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '⇄'), 'Socket debugger'),
    inspector ? h('nav', { class: 'tabs', role: 'tablist' }, tabButtons.workbench, tabButtons.inspector) : null,
    h('span', { class: 'spacer' }),
    options.source ? h('span', { class: 'source', title: "Where this window's chrome.sockets comes from" }, options.source) : null,
    h(
      'button',
      {
        type: 'button',
        class: 'help-btn',
        title: 'Keyboard shortcuts (? or F1)',
        'aria-label': 'Keyboard shortcuts',
        onclick: () => help.showModal(),
      },
      '?',
    ),
  );
  replace(root, header, workbenchPane, inspectorPane, help);
  root.classList.add('app');

  function setTab(next: 'workbench' | 'inspector'): void {
    if (!inspector || !inspectorPane) return;
    tab = next;
    workbenchPane.hidden = next !== 'workbench';
    inspectorPane.hidden = next !== 'inspector';
    tabButtons.workbench.setAttribute('aria-selected', String(next === 'workbench'));
    tabButtons.inspector.setAttribute('aria-selected', String(next === 'inspector'));
    inspector.setActive(next === 'inspector');
    requestRender();
  }
  setTab('workbench');

  function viewFor(entry: SocketEntry): SocketView {
    let view = views.get(entry.key);
    if (!view) {
      view = new SocketView(entry, workbench, requestRender, (e) => select(e), { inspect: options.inspect, tap: options.tap, recall });
      views.set(entry.key, view);
    }
    return view;
  }

  function select(entry: SocketEntry | undefined, focusComposer = false): void {
    // Narrow window: the folded sidebar gets out of the way once a socket is picked.
    if (entry) root.classList.remove('sidebar-open');
    selected = entry ? viewFor(entry) : undefined;
    replace(main, selected ? selected.root : empty);
    list.select(entry?.key);
    if (entry) void workbench.refresh(entry);
    if (focusComposer) selected?.composer?.focus();
    requestRender();
  }

  let titled = '';
  function paintTitle(): void {
    const all = workbench.list();
    const open = all.filter((e) => e.phase !== 'closed').length;
    const app = options.appName ? ` — ${options.appName}` : '';
    const title = `Socket debugger${app} — ${open} socket${open === 1 ? '' : 's'} open`;
    if (title !== titled) document.title = titled = title;
  }

  function render(): void {
    frame = 0;
    paintTitle();
    if (tab !== 'workbench') return;
    list.render();
    // A removed socket takes its view with it.
    if (selected && !workbench.entries.has(selected.entry.key)) {
      views.delete(selected.entry.key);
      select(list.ordered()[0]);
    }
    for (const key of views.keys()) if (!workbench.entries.has(key)) views.delete(key);
    selected?.render();
  }

  const tick = setInterval(() => {
    if (tab === 'workbench' && selected && !document.hidden) selected.tick(Date.now());
  }, TICK_MS);
  const infoSelected = setInterval(() => {
    if (selected && !document.hidden && selected.entry.phase !== 'closed') void workbench.refresh(selected.entry);
  }, INFO_SELECTED_MS);
  const infoAll = setInterval(() => {
    if (!document.hidden) void workbench.refreshAll();
  }, INFO_ALL_MS);

  const onKey = (ev: KeyboardEvent) => {
    if (help.open) return;
    const target = ev.target as HTMLElement | null;
    const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT');
    if ((ev.key === '?' && !typing) || ev.key === 'F1') {
      ev.preventDefault();
      help.showModal();
      return;
    }
    if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
    // ev.code, not ev.key: Alt+letter produces other characters on macOS and some layouts.
    const v = selected;
    const act: Record<string, () => void> = {
      Digit1: () => {
        setTab('workbench');
        forms.show('tcp', true);
      },
      Digit2: () => {
        setTab('workbench');
        forms.show('tcpServer', true);
      },
      Digit3: () => {
        setTab('workbench');
        forms.show('udp', true);
      },
      ArrowUp: () => {
        const e = list.neighbour(-1);
        if (e) {
          select(e);
          list.focusSelected();
        }
      },
      ArrowDown: () => {
        const e = list.neighbour(1);
        if (e) {
          select(e);
          list.focusSelected();
        }
      },
      KeyI: () => setTab(tab === 'workbench' ? 'inspector' : 'workbench'),
      KeyM: () => v?.composer?.focus(),
      KeyL: () => v?.traffic.root.focus(),
      KeyP: () => v?.togglePause(),
      KeyD: () => v?.disconnectOrReconnect(),
      KeyX: () => v?.close(),
      KeyH: () => v?.toggleMode(),
      KeyF: () => v?.traffic.setFollow(!v.traffic.follow),
      KeyK: () => v?.clear(),
      KeyS: () => v?.save('text'),
    };
    const fn = act[ev.code];
    if (!fn) return;
    ev.preventDefault();
    fn();
    requestRender();
  };
  document.addEventListener('keydown', onKey);

  void workbench.adoptExisting().then((n) => {
    if (n > 0 && !selected) select(list.ordered()[0]);
    requestRender();
  });
  requestRender();

  return {
    workbench,
    select(key) {
      const entry = workbench.entries.get(key);
      if (entry) select(entry);
    },
    dispose() {
      clearInterval(tick);
      clearInterval(infoSelected);
      clearInterval(infoAll);
      if (frame) cancelAnimationFrame(frame);
      document.removeEventListener('keydown', onKey);
      inspector?.setActive(false);
      inspector?.stopFollowing();
      workbench.dispose();
    },
  };
}

/** A full-window message for when there is no chrome.sockets to work with. */
export function showBootError(root: HTMLElement, title: string, detail: string): void {
  root.classList.add('app');
  replace(
    root,
    h(
      'div',
      { class: 'empty-state big boot-error', role: 'alert' },
      h('h1', null, title),
      ...detail.split('\n').map((p) => h('p', null, p)),
    ),
  );
  setText(document.querySelector('title') ?? document.createElement('title'), `Socket debugger — ${title}`);
}
