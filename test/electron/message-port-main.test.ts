/**
 * hostPortFromMessagePortMain and the page's queued port: the two carriers' ends the Electron
 * glue adds.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import type { PagePort } from '../../common/port';
import type { BatchMessage, UpMessage } from '../../common/protocol';
import { hostPortFromMessagePortMain } from '../../main/electron/message-port-main';
import { createQueuedPagePort } from '../../preload/electron/queued-port';
import { FakeMessageChannelMain } from './fakes';

const batch: BatchMessage = { t: 'b', m: [{ t: 'r', id: 1, a: [0] }], bufs: [] };

function nextMessage(port: { once(event: 'message', l: (data: unknown) => void): unknown }): Promise<unknown> {
  return new Promise((resolve) => port.once('message', resolve));
}

describe('hostPortFromMessagePortMain', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => {
    sandbox.restore();
    FakeMessageChannelMain.closeAll();
  });

  it('starts the port only when the host listens, so nothing sent first is lost', async () => {
    const { port1, port2 } = new FakeMessageChannelMain();
    const host = hostPortFromMessagePortMain(port1);
    port2.node.postMessage({ t: 'hello', v: 1 });
    expect(port1.started).to.equal(false);
    const received = new Promise((resolve) => host.onMessage(resolve));
    expect(port1.started).to.equal(true);
    expect(await received).to.deep.equal({ t: 'hello', v: 1 });
  });

  it('posts batches with their buffers copied (MessagePortMain transfers only ports)', async () => {
    const { port1, port2 } = new FakeMessageChannelMain();
    const spy = sandbox.spy(port1, 'postMessage');
    const host = hostPortFromMessagePortMain(port1);
    const buf = new Uint8Array([1, 2, 3]).buffer;
    const arrived = nextMessage(port2.node);
    host.postMessage({ ...batch, bufs: [buf] }, [buf]);
    expect(spy.firstCall.args).to.have.length(1);
    expect(buf.byteLength, 'not detached').to.equal(3);
    expect(new Uint8Array(((await arrived) as BatchMessage).bufs[0])).to.deep.equal(new Uint8Array([1, 2, 3]));
  });

  it('reports the page end going away once, and stops delivering', async () => {
    const { port1, port2 } = new FakeMessageChannelMain();
    const host = hostPortFromMessagePortMain(port1);
    const onClose = sandbox.spy();
    const onMessage = sandbox.spy();
    host.onMessage(onMessage);
    host.onClose(onClose);
    const closed = new Promise((resolve) => port1.once('close', resolve));
    port2.node.close();
    await closed;
    port1.emit('close');
    port1.emit('message', { data: { t: 'hello', v: 1 } });
    expect(onClose.callCount).to.equal(1);
    expect(onMessage.callCount).to.equal(0);
    expect(port1.listenerCount('message')).to.equal(0);
  });

  it('does not report its own close() as the page going away, and drops later posts', async () => {
    const { port1 } = new FakeMessageChannelMain();
    const host = hostPortFromMessagePortMain(port1);
    const onClose = sandbox.spy();
    host.onClose(onClose);
    host.close();
    host.close();
    expect(port1.closedLocally).to.equal(true);
    await new Promise((resolve) => setImmediate(resolve));
    port1.emit('close');
    expect(onClose.callCount).to.equal(0);
    expect(() => host.postMessage(batch, [])).to.not.throw();
  });
});

describe('createQueuedPagePort', () => {
  function recordingPort(): PagePort & { posted: UpMessage[]; handler?: (m: BatchMessage) => void } {
    const port = {
      posted: [] as UpMessage[],
      handler: undefined as ((m: BatchMessage) => void) | undefined,
      postMessage(message: UpMessage) {
        port.posted.push(message);
      },
      onMessage(h: (m: BatchMessage) => void) {
        port.handler = h;
      },
    };
    return port;
  }

  it('keeps messages in order until connected, then sends them before anything newer', () => {
    const queued = createQueuedPagePort();
    const handler = sinon.spy();
    queued.onMessage(handler);
    queued.postMessage({ t: 'hello', v: 1 });
    queued.postMessage({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [] });
    const real = recordingPort();
    expect(queued.connect(real)).to.equal(true);
    queued.postMessage({ t: 'ack', n: 5 });
    expect(real.posted.map((m) => m.t)).to.deep.equal(['hello', 'call', 'ack']);
    real.handler!(batch);
    expect(handler.calledOnceWith(batch)).to.equal(true);
  });

  it('takes only the first port', () => {
    const queued = createQueuedPagePort();
    const first = recordingPort();
    const second = recordingPort();
    expect(queued.connect(first)).to.equal(true);
    expect(queued.connect(second)).to.equal(false);
    queued.postMessage({ t: 'hello', v: 1 });
    expect(first.posted).to.have.length(1);
    expect(second.posted).to.have.length(0);
  });
});
