/**
 * One registry per namespace (Chromium's ApiResourceManager): ids start at 1, only ever
 * increase, and are never reused. Lookups are scoped to the owning app, and a wrong owner looks
 * exactly like a missing id.
 */
import type { AppState, ManagedSocket } from './app-state';

export class Registry<T extends ManagedSocket> {
  private nextId = 1;
  private readonly sockets = new Map<number, T>();

  /** Creates a socket with the next id and registers it with its app. */
  add<U extends T>(create: (id: number) => U): U {
    const socket = create(this.nextId++);
    this.sockets.set(socket.id, socket);
    socket.app.sockets.add(socket);
    return socket;
  }

  /** The app's socket with this id, or undefined (for a missing id and a foreign one alike). */
  get(id: number, app: AppState): T | undefined {
    const socket = this.sockets.get(id);
    return socket !== undefined && socket.app === app ? socket : undefined;
  }

  /** Unregisters (does not destroy). */
  remove(socket: T): void {
    if (this.sockets.get(socket.id) === socket) this.sockets.delete(socket.id);
    socket.app.sockets.delete(socket);
  }

  forApp(app: AppState): T[] {
    return [...this.sockets.values()].filter((s) => s.app === app);
  }

  all(): T[] {
    return [...this.sockets.values()];
  }

  get size(): number {
    return this.sockets.size;
  }
}
