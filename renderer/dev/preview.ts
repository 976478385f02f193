/**
 * DEV ONLY entry: the window running on the in-page fake (dev/fake-chrome.ts), for layout work
 * without a host. `?noinspect` hides the Inspector (the "no provider" case); `?demo` opens a few
 * sockets and sends some traffic so screenshots show populated views.
 */
import { startApp } from '../app';
import { createFakeChrome } from './fake-chrome';

const params = new URLSearchParams(location.search);
const { chrome, inspect } = createFakeChrome();
const app = startApp(document.getElementById('app')!, chrome, {
  inspect: params.has('noinspect') ? undefined : inspect,
  source: 'dev fake (not a real host)',
});
(window as unknown as Record<string, unknown>).__debugApp = app;

if (params.has('demo')) void demo();

async function demo(): Promise<void> {
  const wb = app.workbench;
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await wb.createTcpServer({ address: '127.0.0.1', port: 0, name: 'local' });
  await wb.createUdp({ address: '0.0.0.0', port: 5353, name: 'mdns probe' });
  await wb.createTcpClient({ host: 'nope.invalid', port: 80 });
  const http = await wb.createTcpClient({ host: 'example.com', port: 80, name: 'http' });
  await wait(120);
  if ('key' in http) {
    const enc = new TextEncoder();
    await wb.send(http, enc.encode('GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: socket-debugger\r\nAccept: */*\r\n\r\n'));
    await wait(80);
    await wb.send(http, Uint8Array.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xe2, 0x82, 0xac, 0x0d, 0x0a]));
  }
  const target = params.get('select') ?? ('key' in http ? http.key : undefined);
  if (target) app.select(target);
}
