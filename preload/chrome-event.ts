/**
 * Chrome's event object (extensions/renderer/bindings/api_event_handler.cc): listeners keep their
 * identity, a function added twice is kept once, and one throwing listener does not stop the rest.
 */
export interface ChromeEvent<L extends (...args: never[]) => void> {
  addListener(callback: L): void;
  removeListener(callback: L): void;
  hasListener(callback: L): boolean;
  hasListeners(): boolean;
}

export interface ConsoleLike {
  error(...args: unknown[]): void;
}

export class ChromeEventImpl<L extends (...args: never[]) => void> implements ChromeEvent<L> {
  /**
   * Never changed in place: add and remove put a new array here, so a dispatch walks the list as
   * it was when the event fired (a listener added or removed meanwhile does not change that
   * dispatch, as in Chrome's EventEmitter::DispatchSync) without copying it on every event.
   */
  private listeners: readonly L[] = [];

  constructor(
    private readonly qualifiedName: string,
    private readonly onChange: (hasListeners: boolean) => void,
    private readonly console: ConsoleLike,
  ) {}

  addListener(callback: L): void {
    if (typeof callback !== 'function') {
      throw new TypeError(`Error in invocation of ${this.qualifiedName}.addListener(function callback): No matching signature.`);
    }
    if (this.listeners.includes(callback)) return;
    this.listeners = [...this.listeners, callback];
    if (this.listeners.length === 1) this.onChange(true);
  }

  removeListener(callback: L): void {
    const index = this.listeners.indexOf(callback);
    if (index < 0) return;
    this.listeners = this.listeners.filter((_, i) => i !== index);
    if (this.listeners.length === 0) this.onChange(false);
  }

  hasListener(callback: L): boolean {
    return this.listeners.includes(callback);
  }

  hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** The listeners now, in the order they were added (for events whose dispatch needs each result). */
  currentListeners(): L[] {
    return this.listeners.slice();
  }

  /** Runs every listener present when the event fires, in the order they were added. */
  dispatch(...args: Parameters<L>): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as unknown as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.console.error(`Error in event handler for ${this.qualifiedName}:`, error);
      }
    }
  }

  /** `dispatch(arg)` for the one-argument events on the data path, without the rest array. */
  dispatch1(arg: unknown): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as unknown as (a: unknown) => void)(arg);
      } catch (error) {
        this.console.error(`Error in event handler for ${this.qualifiedName}:`, error);
      }
    }
  }
}
