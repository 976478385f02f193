// A Chrome App's socket code, written as old apps wrote it (callbacks + lastError) and as new
// code may (promises). Compiled by test/electron/types.test.ts against ../chrome-sockets.d.ts.
/// <reference path="../chrome-sockets.d.ts" />

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---- TCP client, callback style ----------------------------------------------------------------
function telnet(host: string, port: number, onLine: (line: string) => void): void {
  chrome.sockets.tcp.create({ bufferSize: 8192, name: 'telnet' }, (createInfo) => {
    const socketId: number = createInfo.socketId;
    chrome.sockets.tcp.connect(socketId, host, port, 'ipv4', (result) => {
      if (chrome.runtime.lastError) {
        const message: string = chrome.runtime.lastError.message;
        onLine(`connect failed: ${message} (${result})`);
        return;
      }
      chrome.sockets.tcp.setNoDelay(socketId, true, (code: number) => void code);
      chrome.sockets.tcp.setKeepAlive(socketId, true, 30, () => undefined);
      chrome.sockets.tcp.send(socketId, encoder.encode('hello\r\n'), (sendInfo) => {
        const sent: number | undefined = sendInfo.bytesSent;
        void sent;
      });
    });
  });
  const onReceive = (info: chrome.sockets.tcp.ReceiveInfo): void => onLine(decoder.decode(info.data));
  chrome.sockets.tcp.onReceive.addListener(onReceive);
  chrome.sockets.tcp.onReceiveError.addListener((info) => {
    onLine(`error ${info.resultCode} on ${info.socketId}`);
    chrome.sockets.tcp.onReceive.removeListener(onReceive);
  });
}

// ---- TCP client, promise style -------------------------------------------------------------------
async function fetchBanner(host: string, port: number): Promise<chrome.sockets.tcp.SocketInfo> {
  const { socketId } = await chrome.sockets.tcp.create();
  await chrome.sockets.tcp.setPaused(socketId, true);
  const result: number = await chrome.sockets.tcp.connect(socketId, host, port);
  void result;
  await chrome.sockets.tcp.secure(socketId, { tlsVersion: { min: 'tls1.2' } });
  const info = await chrome.sockets.tcp.getInfo(socketId);
  const peer: string | undefined = info.peerAddress;
  void peer;
  await chrome.sockets.tcp.disconnect(socketId);
  await chrome.sockets.tcp.close(socketId);
  return info;
}

// ---- tcpServer ---------------------------------------------------------------------------------
function echoServer(): void {
  chrome.sockets.tcpServer.create({ persistent: true }, ({ socketId }) => {
    chrome.sockets.tcpServer.listen(socketId, '127.0.0.1', 0, (result) => {
      if (result < 0) return;
      chrome.sockets.tcpServer.getInfo(socketId, (info) => console.log('listening on', info.localPort));
    });
  });
  chrome.sockets.tcpServer.onAccept.addListener((info) => {
    const client: number = info.clientSocketId;
    chrome.sockets.tcp.setPaused(client, false);
  });
  chrome.sockets.tcpServer.onAcceptError.addListener(({ socketId, resultCode }) => {
    void chrome.sockets.tcpServer.close(socketId).then(() => resultCode);
  });
  chrome.sockets.tcp.onReceive.addListener(({ socketId, data }) => {
    chrome.sockets.tcp.send(socketId, data, () => undefined);
  });
}

// ---- udp -----------------------------------------------------------------------------------------
function discovery(): void {
  chrome.sockets.udp.create({}, ({ socketId }) => {
    chrome.sockets.udp.setMulticastTimeToLive(socketId, 2, () => {
      chrome.sockets.udp.bind(socketId, '0.0.0.0', 0, (result) => {
        if (result < 0) return;
        chrome.sockets.udp.joinGroup(socketId, '239.255.255.250', () => undefined);
        chrome.sockets.udp.send(socketId, new Uint8Array([1, 2, 3]).buffer, '239.255.255.250', 1900, (sendInfo) => {
          console.log(sendInfo.resultCode);
        });
        chrome.sockets.udp.setBroadcast(socketId, true, () => undefined);
      });
    });
  });
  chrome.sockets.udp.onReceive.addListener((info) => {
    const from = `${info.remoteAddress}:${info.remotePort}`;
    console.log(from, info.data.byteLength);
  });
}

async function udpPromises(): Promise<string[]> {
  const { socketId } = await chrome.sockets.udp.create({ bufferSize: 65535 });
  await chrome.sockets.udp.bind(socketId, '127.0.0.1', 0);
  const sendInfo = await chrome.sockets.udp.send(socketId, new ArrayBuffer(4), '127.0.0.1', 9, 'ipv4');
  void sendInfo.resultCode;
  const sockets: chrome.sockets.udp.SocketInfo[] = await chrome.sockets.udp.getSockets();
  void sockets;
  return chrome.sockets.udp.getJoinedGroups(socketId);
}

export { telnet, fetchBanner, echoServer, discovery, udpPromises };
