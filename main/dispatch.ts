/**
 * The one dispatch point: every call a page makes is looked up once in the method table, its
 * arguments are checked against the method's signature, the handler runs with a typed tuple,
 * and whatever it throws becomes the wire result in one place (spec §2.1).
 */
import {
  METHODS,
  SERVICE_METHODS,
  qualifiedNamespace,
  type MethodArgs,
  type MethodSpec,
  type WireMethodName,
  type WireNamespace,
} from '../common/methods';
import type { WireError } from '../common/protocol';
import { InvocationError, parsePositional } from '../common/signature';
import type { AppState } from './app-state';
import { CallError } from './call-error';
import type { CallTarget, PageContext } from './page-context';
import type { SocketTap } from './tap';

/** The page side of a call: which context made it, for which app. */
export interface CallScope {
  readonly ctx: PageContext;
  readonly app: AppState;
}

/** A method implementation: returns the callback's arguments or throws a CallError. */
export type Handler<Args extends readonly unknown[] = unknown[]> = (
  scope: CallScope,
  args: Args,
) => readonly unknown[] | Promise<readonly unknown[]>;

/** Every method of a namespace, each receiving the argument tuple its table entry describes. */
export type NamespaceHandlers<N extends WireNamespace> = { readonly [M in WireMethodName<N>]: Handler<MethodArgs<N, M>> };

/** The implementations the dispatch serves, by namespace (a namespace may be missing). */
export type HandlerTable = { readonly [N in WireNamespace]?: NamespaceHandlers<N> };

/**
 * Services beside the sockets on the same port and dispatch (the Chrome App runner's storage,
 * alarms, system.network, power, runtime messaging: main/app-services/). Handlers get the
 * caller's context and app like the socket handlers; the hooks release per-app state.
 */
export interface AppServices {
  readonly handlers: HandlerTable;
  /** A page context went away (answer what it still owed, drop what it held). */
  contextEnded?(ctx: PageContext): void;
  /** The app was detached: drop its timers and state. */
  appEnded?(app: AppState): void;
  /** The host is disposed. */
  dispose?(): Promise<void> | void;
}

/** What a call answers: the callback's arguments, and lastError when it failed. */
export interface CallOutcome {
  readonly a: readonly unknown[];
  readonly e?: WireError;
}

/** A method the table has, with its implementation where the host serves it. */
interface MethodEntry extends CallTarget {
  readonly spec: MethodSpec;
  /** Checked arguments only: parsePositional gives the tuple `Handler<MethodArgs<…>>` expects. */
  readonly handler: Handler | undefined;
}

/** What the dispatch tells the rest of the host, and asks of it. */
export interface DispatchHooks {
  readonly tap: SocketTap;
  /** Whether the context may use the other socket APIs (the raw namespace). */
  mayUseOtherApis(ctx: PageContext): boolean;
  /** A failed call's net code, for the inspector (the first argument is the socket id). */
  noteError(app: AppState, ns: WireNamespace, id: unknown, code: unknown): void;
}

const TABLES: Readonly<Record<WireNamespace, Readonly<Record<string, MethodSpec>>>> = { ...METHODS, ...SERVICE_METHODS };

export class Dispatcher {
  private readonly entries = new Map<string, ReadonlyMap<string, MethodEntry>>();

  constructor(
    handlers: HandlerTable,
    private readonly hooks: DispatchHooks,
  ) {
    for (const [ns, table] of Object.entries(TABLES) as Array<[WireNamespace, Readonly<Record<string, MethodSpec>>]>) {
      // The one widening: a handler is only ever called with what parsePositional checked.
      const implemented = handlers[ns] as Readonly<Record<string, Handler>> | undefined;
      const methods = new Map<string, MethodEntry>();
      for (const [method, spec] of Object.entries(table)) {
        const entry: MethodEntry = {
          ns,
          method,
          spec,
          handler: implemented?.[method],
          invoke: (ctx, args) => this.dispatch(ctx, entry, args),
        };
        methods.set(method, entry);
      }
      this.entries.set(ns, methods);
    }
  }

  /** The table's entry for `ns.method`, or undefined when the API has no such method. */
  resolve(ns: unknown, method: unknown): CallTarget | undefined {
    if (typeof ns !== 'string' || typeof method !== 'string') return undefined;
    return this.entries.get(ns)?.get(method);
  }

  /** Runs one call. Rejects only for a handler bug (the context answers "Internal error"). */
  private async dispatch(ctx: PageContext, entry: MethodEntry, args: readonly unknown[]): Promise<CallOutcome> {
    // One boolean when nobody taps: the tap records calls only while the window follows a socket.
    if (!this.hooks.tap.active) return this.call(ctx, entry, args);
    const started = Date.now();
    const out = await this.call(ctx, entry, args);
    this.hooks.tap.onCall(entry.ns, entry.method, args, out.a, out.e?.message, started);
    return out;
  }

  private async call(ctx: PageContext, entry: MethodEntry, args: readonly unknown[]): Promise<CallOutcome> {
    const { ns, method, spec, handler } = entry;
    if (handler === undefined) return { a: [], e: { message: `${qualifiedNamespace(ns)}.${method} is not available` } };
    if (ns === 'raw' && !this.hooks.mayUseOtherApis(ctx)) {
      return { a: [], e: { message: 'No socket API besides chrome.sockets is enabled for this page (attach it with apis: [...])' } };
    }
    try {
      return { a: await handler({ ctx, app: ctx.app }, parsePositional(ns, method, spec, args)) };
    } catch (error) {
      if (error instanceof CallError) {
        const code = error.resultCode ?? (typeof error.args[0] === 'number' ? error.args[0] : undefined);
        this.hooks.noteError(ctx.app, ns, args[0], code);
        const e: WireError =
          error.resultCode === undefined ? { message: error.message } : { message: error.message, resultCode: error.resultCode };
        return { a: error.args, e };
      }
      if (error instanceof InvocationError) return { a: [], e: { message: error.message } };
      throw error;
    }
  }
}
