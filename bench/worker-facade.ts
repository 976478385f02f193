/**
 * A facade in a worker thread, as a renderer would run it: it receives its end of the port and
 * then runs scenarios named by module path and export, posting back their results.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PageChannel } from '../preload/channel';
import { createChromeSockets, type ChromeSockets } from '../preload/facade';
import { pagePortFromMessagePort } from '../preload/page-port';

/** `channel` is the port's shared end, for the other socket APIs' facades. */
export type Scenario = (chrome: ChromeSockets, params: Record<string, unknown>, channel: PageChannel) => Promise<unknown>;

if (parentPort !== null && workerData?.facadePort !== undefined) {
  const channel = new PageChannel(pagePortFromMessagePort(workerData.facadePort as MessagePort as never));
  const chrome = createChromeSockets(channel);
  const control = parentPort;
  const run = async (message: { id: number; module: string; fn: string; params: Record<string, unknown> }): Promise<void> => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const scenario = require(message.module)[message.fn] as Scenario;
      control.postMessage({ id: message.id, result: await scenario(chrome, message.params, channel) });
    } catch (error) {
      control.postMessage({ id: message.id, error: (error as Error)?.stack ?? String(error) });
    }
  };
  control.on('message', (message: Parameters<typeof run>[0]) => void run(message));
}
