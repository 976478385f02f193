/**
 * The debugging window's application menu (app/menu.ts) must leave Alt to the window: its
 * shortcuts are Alt+1/2/3, Alt+P, Alt+F, Alt+H, … (renderer/app.ts).
 */
import { expect } from 'chai';
import { debuggingMenuTemplate, menuItems } from '../../app/menu';

describe('debugging window application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin']) {
    it(`on ${platform}, has no & mnemonic and no Alt accelerator that would take the window's Alt shortcuts`, () => {
      const items = menuItems(debuggingMenuTemplate({ newWindow() {}, shortcuts() {} }, platform));
      expect(items.length).to.be.greaterThan(5);
      for (const item of items) {
        expect(item.label ?? '', `label ${item.label}`).to.not.contain('&');
        expect(item.accelerator ?? '', `accelerator of ${item.label ?? item.role}`).to.not.match(/\bAlt\b|Option/i);
      }
      // Roles with default accelerators: none of Electron's defaults for these use Alt either
      // (Ctrl+R, Ctrl+Shift+I, Ctrl+0/+/-, F11), except toggleDevTools on macOS (Alt+Cmd+I),
      // where Alt+letter is not the window's shortcut key anyway (Option composes characters).
      expect(items.some((i) => i.role === 'reload')).to.equal(true);
    });
  }

  it('routes its actions to the callbacks it is given', () => {
    const calls: string[] = [];
    const items = menuItems(debuggingMenuTemplate({ newWindow: () => calls.push('new'), shortcuts: () => calls.push('help') }, 'linux'));
    items.find((i) => i.label === 'New debugging window')!.click!();
    items.find((i) => i.label === 'Keyboard shortcuts')!.click!();
    expect(calls).to.deep.equal(['new', 'help']);
  });
});
