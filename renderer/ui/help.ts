/** The keyboard help overlay (`?` or F1). A native modal dialog traps focus and closes on Esc. */
import { h } from './dom';

export const SHORTCUTS: readonly (readonly [keys: string, what: string])[] = [
  ['Alt+1 / Alt+2 / Alt+3', 'New TCP client / TCP server / UDP socket (focuses the form)'],
  ['Enter', 'In a form: create. In the message box: send'],
  ['Shift+Enter', 'New line in the message box'],
  ['↑ / ↓ in the message box', 'Previous / next sent message'],
  ['Esc', 'Stop a repeating send; close this help'],
  ['Alt+↑ / Alt+↓', 'Previous / next socket'],
  ['↑ / ↓ / Home / End in the list', 'Move through sockets'],
  ['Alt+M', 'Focus the message box'],
  ['Alt+L', 'Focus the conversation (then PgUp / PgDn / Home / End scroll)'],
  ['Alt+P', 'Pause / resume the socket'],
  ['Alt+D', 'Disconnect, or reconnect / listen again'],
  ['Alt+X', 'Close the socket'],
  ['Alt+H', 'Show payloads as text or hex'],
  ['Alt+F', 'Follow the newest entries on / off'],
  ['Alt+K', 'Clear the conversation'],
  ['Alt+S', 'Save the conversation as a text transcript'],
  ['Alt+I', 'Switch between Workbench and Inspector'],
  ['? or F1', 'This help'],
];

export function createHelp(): HTMLDialogElement {
  const dialog = h('dialog', { class: 'help', 'aria-label': 'Keyboard shortcuts' },
    h('h2', null, 'Keyboard shortcuts'),
    h('table', null, h('tbody', null, ...SHORTCUTS.map(([k, w]) => h('tr', null, h('th', { scope: 'row' }, ...k.split(/( \/ |\+)/).map((p) => (p === '+' || p === ' / ' ? p : h('kbd', null, p)))), h('td', null, w))))),
    h('p', { class: 'muted' }, 'Text payloads accept \\r \\n \\t \\0 \\e \\\\ \\xHH (one byte) and \\uXXXX (UTF-8). Hex accepts 48 65 6c, 48656c, 0x48,0x65 or 48:65:6c. In the log, escapes are highlighted: every byte is shown, none is hidden.'),
    h('form', { method: 'dialog', class: 'actions' }, h('button', { class: 'primary' }, 'Close')));
  return dialog;
}
