/** The keyboard help overlay (`?` or F1). A native modal dialog traps focus and closes on Esc. */
import { h } from './dom';

/** Keys (combos separated by " / ") and what they do; the one list the overlay shows. */
export const SHORTCUTS: readonly (readonly [keys: string, what: string])[] = [
  ['Alt+1 / Alt+2 / Alt+3', 'New TCP client / TCP server / UDP socket (focuses its form)'],
  ['Enter', 'In a form: create. In the message box: send'],
  ['Shift+Enter', 'In the message box: new line'],
  ['↑ / ↓', 'In the message box: previous / next sent message'],
  ['Esc', 'Stop a repeating send; close this help'],
  ['Alt+↑ / Alt+↓', 'Previous / next socket'],
  ['↑ / ↓ / Home / End', 'In the socket list: move through sockets'],
  ['Alt+M', 'Focus the message box'],
  ['Alt+L', 'Focus the conversation (then PgUp, PgDn, Home, End scroll it)'],
  ['Alt+P', 'Pause / resume the socket'],
  ['Alt+D', 'Disconnect, or reconnect / listen again'],
  ['Alt+X', 'Close the socket'],
  ['Alt+H', 'Show payloads as text or as a hex dump'],
  ['Alt+F', 'Follow the newest entries on / off'],
  ['Alt+K', 'Clear the conversation'],
  ['Alt+S', 'Save the conversation as a text transcript'],
  ['Alt+I', 'Switch between Workbench and Inspector'],
  ['? / F1', 'This help'],
];

function keysCell(keys: string): HTMLElement {
  const th = h('th', { scope: 'row' });
  keys.split(' / ').forEach((combo, i) => {
    if (i) th.append(' / ');
    combo.split('+').forEach((key, k) => {
      if (k) th.append('+');
      th.append(h('kbd', null, key));
    });
  });
  return th;
}

export function createHelp(): HTMLDialogElement {
  const dialog = h(
    'dialog',
    { class: 'help', 'aria-label': 'Keyboard shortcuts' },
    h('h2', null, 'Keyboard shortcuts'),
    h('table', null, h('tbody', null, ...SHORTCUTS.map(([k, w]) => h('tr', null, keysCell(k), h('td', null, w))))),
    h(
      'p',
      { class: 'muted' },
      'Text payloads accept \\r \\n \\t \\0 \\e \\\\ \\xHH (one byte) and \\uXXXX (UTF-8). Hex accepts 48 65 6c, 48656c, 0x48,0x65 or 48:65:6c. In the log, escapes are highlighted: every byte is shown, none is hidden.',
    ),
    h('form', { method: 'dialog', class: 'actions' }, h('button', { class: 'primary' }, 'Close')),
  );
  return dialog;
}
