/**
 * The window's memory (common/window-recall.ts) with its rules: a target or message used again
 * moves to the end instead of repeating; a macro saved under an existing name replaces it. Every
 * change is saved at once; a store that fails leaves the window working from memory.
 */
import {
  EMPTY_RECALL,
  RECALL_LIMITS,
  sanitiseRecall,
  type RecallData,
  type RecallStore,
  type RecentTarget,
  type SavedMessage,
  type SendMacro,
} from '../../common/window-recall';

export class Recall {
  data: RecallData = EMPTY_RECALL;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly store?: RecallStore) {}

  /** Reads the store once at start; what cannot be read is left out. */
  async load(): Promise<void> {
    if (!this.store) return;
    try {
      this.data = sanitiseRecall(await this.store.load());
    } catch {
      this.data = EMPTY_RECALL;
    }
    this.changed(false);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addTarget(t: RecentTarget): void {
    const same = (x: RecentTarget) => x.host === t.host && x.port === t.port && !!x.tls === !!t.tls;
    this.data = sanitiseRecall({ ...this.data, targets: [...this.data.targets.filter((x) => !same(x)), t] });
    this.changed();
  }

  addMessage(m: SavedMessage): void {
    if (m.text === '' || m.text.length > RECALL_LIMITS.textChars) return;
    const messages = this.data.messages.filter((x) => !(x.mode === m.mode && x.text === m.text));
    this.data = sanitiseRecall({ ...this.data, messages: [...messages, m] });
    this.changed();
  }

  /** Messages of one mode, oldest first (the composer's ↑ walks back from the end). */
  messages(mode: 'text' | 'hex'): string[] {
    return this.data.messages.filter((m) => m.mode === mode).map((m) => m.text);
  }

  setMacro(m: SendMacro): string | undefined {
    const name = m.name.trim();
    if (name === '') return 'Give the macro a name';
    if (name.length > RECALL_LIMITS.nameChars) return `A macro name has at most ${RECALL_LIMITS.nameChars} characters`;
    if (m.text === '') return 'Type the message to save first';
    if (m.text.length > RECALL_LIMITS.textChars) return `A macro holds at most ${RECALL_LIMITS.textChars} characters`;
    const others = this.data.macros.filter((x) => x.name !== name);
    if (others.length >= RECALL_LIMITS.macros) return `At most ${RECALL_LIMITS.macros} macros: delete one first`;
    this.data = { ...this.data, macros: [...others, { name, mode: m.mode, text: m.text }] };
    this.changed();
    return undefined;
  }

  removeMacro(name: string): void {
    this.data = { ...this.data, macros: this.data.macros.filter((x) => x.name !== name) };
    this.changed();
  }

  private changed(save = true): void {
    if (save && this.store) void this.store.save(this.data).catch(() => undefined);
    for (const l of this.listeners) l();
  }
}
