/**
 * The `on<type>` event handler attributes the mozTCPSocket and W3C 2013 facades share, called
 * like HTML's event handler attributes: one listener per type, added when its attribute is
 * first set, calling whatever the attribute holds at dispatch time. The class is made by a
 * function that each installer calls, not at module load: the preload bundle also loads in a
 * world without EventTarget, and only an installer that runs needs it.
 */

export type Handler = ((event: any) => unknown) | null;

export interface HandlerTargetClass {
  new (): EventTarget;
  readonly prototype: EventTarget;
  /** Gives the class's instances an `on<type>` attribute for each type. */
  handlerAttributes(this: { readonly prototype: EventTarget }, ...types: string[]): void;
}

/** Each target's attribute values, by type (a type is in the map once its listener exists). */
const HANDLERS = new WeakMap<EventTarget, Map<string, Handler>>();

function setHandler(target: EventTarget, type: string, value: unknown): void {
  let handlers = HANDLERS.get(target);
  if (handlers === undefined) {
    handlers = new Map();
    HANDLERS.set(target, handlers);
  }
  if (!handlers.has(type)) {
    const own = handlers;
    target.addEventListener(type, (event) => {
      const fn = own.get(type);
      if (typeof fn === 'function') fn.call(target, event);
    });
  }
  handlers.set(type, typeof value === 'function' ? (value as Handler) : null);
}

/** An EventTarget base class whose subclasses declare their `on<type>` attributes. */
export function defineHandlerTarget(): HandlerTargetClass {
  return class HandlerTarget extends EventTarget {
    static handlerAttributes(this: { readonly prototype: EventTarget }, ...types: string[]): void {
      for (const type of types) {
        Object.defineProperty(this.prototype, `on${type}`, {
          configurable: true,
          get(this: EventTarget): Handler {
            return HANDLERS.get(this)?.get(type) ?? null;
          },
          set(this: EventTarget, value: unknown) {
            setHandler(this, type, value);
          },
        });
      }
    }
  };
}
