// The minimal page's script: plain Chrome App code against chrome.sockets.tcp.
/* global chrome, document */
'use strict';
const log = (line) => {
  document.getElementById('log').textContent += `${line}\n`;
};
let socketId;

if (!globalThis.chrome || !chrome.sockets) log('chrome.sockets is missing: is the preload loaded?');

chrome.sockets.tcp.onReceive.addListener((info) => log(`< ${new TextDecoder().decode(info.data)}`));
chrome.sockets.tcp.onReceiveError.addListener((info) => log(`receive error ${info.resultCode} on ${info.socketId}`));

document.getElementById('connect').addEventListener('submit', (event) => {
  event.preventDefault();
  const host = document.getElementById('host').value;
  const port = Number(document.getElementById('port').value);
  chrome.sockets.tcp.create({}, (createInfo) => {
    socketId = createInfo.socketId;
    chrome.sockets.tcp.connect(socketId, host, port, (result) => {
      log(chrome.runtime.lastError ? `connect: ${chrome.runtime.lastError.message}` : `connected (socket ${socketId}, ${result})`);
    });
  });
});

document.getElementById('send').addEventListener('submit', (event) => {
  event.preventDefault();
  if (socketId === undefined) return log('connect first');
  const text = document.getElementById('text').value;
  chrome.sockets.tcp.send(socketId, new TextEncoder().encode(text), (sendInfo) => {
    log(chrome.runtime.lastError ? `send: ${chrome.runtime.lastError.message}` : `> ${text} (${sendInfo.bytesSent} bytes)`);
  });
});
