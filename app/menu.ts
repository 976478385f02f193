/**
 * The debugging window's application menu, as a plain template (no `electron` import, so Node
 * tests read it). The window's own shortcuts are Alt+<key> (Alt+1/2/3, Alt+P, Alt+F, …): on
 * Linux and Windows Electron's default menu turns Alt+<letter> into menu mnemonics and a lone Alt
 * into "focus the menu bar", which would swallow them. So: no `&` mnemonics in any label, no
 * accelerator with Alt, and the menu bar is not auto-hidden (autoHideMenuBar shows it on Alt).
 */

/** The subset of Electron's MenuItemConstructorOptions this menu uses. */
export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'separator' | 'submenu' | 'normal';
  accelerator?: string;
  submenu?: MenuItemTemplate[];
  click?: () => void;
}

export interface MenuActions {
  newWindow(): void;
  /** Opens the keyboard shortcuts of the window (its `?` dialog). */
  shortcuts(): void;
}

export function debuggingMenuTemplate(actions: MenuActions, platform: string = process.platform): MenuItemTemplate[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New debugging window', accelerator: 'CmdOrCtrl+N', click: actions.newWindow },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Help', submenu: [{ label: 'Keyboard shortcuts', accelerator: 'F1', click: actions.shortcuts }] },
  ];
}

/** Every label and accelerator in the template, depth first (for checks). */
export function menuItems(template: readonly MenuItemTemplate[]): MenuItemTemplate[] {
  return template.flatMap((item) => [item, ...menuItems(item.submenu ?? [])]);
}
