// Usages the declarations must reject. Each marked line has to fail to compile: an expect-error
// directive with no error is itself an error, so test/electron/types.test.ts sees any that slip.
/// <reference path="../chrome-sockets.d.ts" />

// @ts-expect-error tcpServer.onAccept gives clientSocketId, not data (the community typings get this wrong)
chrome.sockets.tcpServer.onAccept.addListener((info) => info.data);

// @ts-expect-error udp SocketInfo has no connected flag
chrome.sockets.udp.getInfo(1, (info) => info.connected);

// @ts-expect-error tcpServer sockets have no bufferSize
chrome.sockets.tcpServer.create({ bufferSize: 1 }, () => undefined);

// @ts-expect-error the socket id is a number
chrome.sockets.tcp.connect('1', 'example.com', 80, () => undefined);

// @ts-expect-error dnsQueryType is any, ipv4 or ipv6
chrome.sockets.tcp.connect(1, 'example.com', 80, 'ipv5', () => undefined);

// @ts-expect-error with the callback left out, connect returns a promise, not void
const notVoid: void = chrome.sockets.tcp.connect(1, 'example.com', 80);

// @ts-expect-error with a callback, nothing is returned to await
const notPromise: Promise<number> = chrome.sockets.tcp.connect(1, 'example.com', 80, () => undefined);

// @ts-expect-error lastError is read-only
chrome.runtime.lastError = { message: 'x' };

// @ts-expect-error udp.send needs an address and a port
chrome.sockets.udp.send(1, new ArrayBuffer(1), () => undefined);

// @ts-expect-error update needs the properties
chrome.sockets.tcp.update(1, () => undefined);

// @ts-expect-error there is no chrome.sockets.tcp.listen
chrome.sockets.tcp.listen(1, '127.0.0.1', 0, () => undefined);

export { notVoid, notPromise };
