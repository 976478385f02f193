/**
 * The functions every namespace has in the same shape (create, update, setPaused, getInfo,
 * getSockets) and the owner-scoped lookup they all use.
 */
import { CallError, notFound } from './call-error';

/** The bytes of a send as a Buffer over the same memory (no copy). */
export function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** The error `create` fails with at the per-app socket limit. */
export function tooManySockets(limit: number): string {
  return `Too many sockets: this app already holds ${limit} (limits.maxSocketsPerApp)`;
}
import type { ManagedSocket } from './app-state';
import type { CallScope, Handler } from './dispatch';
import type { Registry } from './registry';

/** What a namespace's socket offers to the shared functions. */
export interface ApiSocket<Info> extends ManagedSocket {
  /** Chrome's paused flag, with who set it: the app, or an error (or a disconnect). */
  pausedBy: 'app' | 'error' | undefined;
  info(): Info;
}

/**
 * update(): only the properties present change (spec §4.5). The signature check has already
 * dropped null and unknown properties, so what is left maps one to one onto the socket.
 */
function applyProperties(socket: object, properties: object): void {
  Object.assign(socket, properties);
}

export interface SharedHandlers<T> {
  /** The caller's socket with this id; otherwise `Socket not found` with `notFoundArgs`. */
  find(scope: CallScope, id: number, notFoundArgs?: readonly unknown[]): T;
  /** Typed as the three namespaces' table entries agree (each namespace's own properties dictionary). */
  handlers: {
    create: Handler<[properties: object | undefined]>;
    update: Handler<[socketId: number, properties: object]>;
    setPaused: Handler<[socketId: number, paused: boolean]>;
    getInfo: Handler<[socketId: number]>;
    getSockets: Handler<[]>;
  };
}

export function sharedHandlers<Info, T extends ApiSocket<Info>>(
  registry: Registry<T>,
  make: (id: number, scope: CallScope) => T,
): SharedHandlers<T> {
  function find(scope: CallScope, id: number, notFoundArgs: readonly unknown[] = []): T {
    const socket = registry.get(id, scope.app);
    if (socket === undefined) throw notFound(notFoundArgs);
    return socket;
  }
  return {
    find,
    handlers: {
      create(scope, [properties]) {
        // Chrome has no such limit; a hostile page must not exhaust the host's descriptors.
        if (scope.app.atSocketLimit) throw new CallError(tooManySockets(scope.app.maxSockets));
        const socket = registry.add((id) => make(id, scope));
        applyProperties(socket, properties ?? {});
        return [{ socketId: socket.id }];
      },
      update(scope, [id, properties]) {
        applyProperties(find(scope, id), properties);
        return [];
      },
      setPaused(scope, [id, paused]) {
        // One flag for the app's pause and the pause after an error: resuming clears either.
        const socket = find(scope, id);
        socket.pausedBy = paused ? (socket.pausedBy ?? 'app') : undefined;
        socket.updateReading();
        return [];
      },
      getInfo(scope, [id]) {
        return [find(scope, id).info()];
      },
      getSockets(scope) {
        return [registry.forApp(scope.app).map((s) => s.info())];
      },
    },
  };
}
