/**
 * The functions every namespace has in the same shape (create, update, setPaused, getInfo,
 * getSockets) and the owner-scoped lookup they all use.
 */
import { notFound } from './call-error';
import type { ManagedSocket } from './app-state';
import type { CallScope, Handler } from './host';
import type { Registry } from './registry';

/** What a namespace's socket offers to the shared functions. */
export interface ApiSocket<Properties, Info> extends ManagedSocket {
  update(properties: Properties): void;
  setPaused(paused: boolean): void;
  info(): Info;
}

export interface SharedHandlers<T> {
  /** The caller's socket with this id; otherwise `Socket not found` with `notFoundArgs`. */
  find(scope: CallScope, id: unknown, notFoundArgs?: readonly unknown[]): T;
  handlers: { create: Handler; update: Handler; setPaused: Handler; getInfo: Handler; getSockets: Handler };
}

export function sharedHandlers<Properties, Info, T extends ApiSocket<Properties, Info>>(
  registry: Registry<T>,
  make: (id: number, scope: CallScope) => T,
): SharedHandlers<T> {
  function find(scope: CallScope, id: unknown, notFoundArgs: readonly unknown[] = []): T {
    const socket = registry.get(id as number, scope.app);
    if (socket === undefined) throw notFound(notFoundArgs);
    return socket;
  }
  return {
    find,
    handlers: {
      create(scope, [properties]) {
        const socket = registry.add((id) => make(id, scope));
        socket.update((properties ?? {}) as Properties);
        return [{ socketId: socket.id }];
      },
      update(scope, [id, properties]) {
        find(scope, id).update(properties as Properties);
        return [];
      },
      setPaused(scope, [id, paused]) {
        find(scope, id).setPaused(paused as boolean);
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
