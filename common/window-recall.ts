/**
 * What the debugging window remembers between runs: recent TCP targets, recently sent messages
 * and named send macros. The browser keeps it in localStorage; Electron in a JSON file in the
 * app's userData folder (main/electron/recall-ipc.ts). Both sides read it through
 * `sanitiseRecall`, so a damaged or hostile file cannot grow without bound or carry other data.
 */

export interface RecentTarget {
  readonly host: string;
  readonly port: number;
  readonly tls?: boolean;
}

export interface SavedMessage {
  readonly mode: 'text' | 'hex';
  readonly text: string;
}

export interface SendMacro extends SavedMessage {
  readonly name: string;
}

export interface RecallData {
  readonly targets: readonly RecentTarget[];
  readonly messages: readonly SavedMessage[];
  readonly macros: readonly SendMacro[];
}

/** Bounds of what is remembered (README "Limits"); the oldest go first. */
export const RECALL_LIMITS = Object.freeze({
  targets: 20,
  messages: 50,
  macros: 64,
  /** Characters of one message or macro. */
  textChars: 16 * 1024,
  nameChars: 64,
  /** Largest stored JSON (the Electron file). */
  fileBytes: 2 * 1024 * 1024,
});

export const EMPTY_RECALL: RecallData = Object.freeze({ targets: [], messages: [], macros: [] });

function isMode(v: unknown): v is 'text' | 'hex' {
  return v === 'text' || v === 'hex';
}

/** Keeps only well-formed entries, within RECALL_LIMITS (the newest of each list). */
export function sanitiseRecall(value: unknown): RecallData {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
  const targets = list(v.targets)
    .filter((t): t is RecentTarget => {
      const r = t as Record<string, unknown> | null;
      return (
        typeof r === 'object' &&
        r !== null &&
        typeof r.host === 'string' &&
        r.host !== '' &&
        r.host.length <= 255 &&
        Number.isInteger(r.port) &&
        (r.port as number) >= 0 &&
        (r.port as number) <= 65535 &&
        (r.tls === undefined || typeof r.tls === 'boolean')
      );
    })
    .map((t) => (t.tls ? { host: t.host, port: t.port, tls: true } : { host: t.host, port: t.port }))
    .slice(-RECALL_LIMITS.targets);
  const message = (m: unknown): m is SavedMessage => {
    const r = m as Record<string, unknown> | null;
    return typeof r === 'object' && r !== null && isMode(r.mode) && typeof r.text === 'string' && r.text.length <= RECALL_LIMITS.textChars;
  };
  const messages = list(v.messages)
    .filter(message)
    .map((m) => ({ mode: m.mode, text: m.text }))
    .slice(-RECALL_LIMITS.messages);
  const macros = list(v.macros)
    .filter((m): m is SendMacro => message(m) && typeof (m as SendMacro).name === 'string')
    .filter((m) => m.name.trim() !== '' && m.name.length <= RECALL_LIMITS.nameChars)
    .map((m) => ({ name: m.name, mode: m.mode, text: m.text }))
    .slice(-RECALL_LIMITS.macros);
  return { targets, messages, macros };
}

/** Where the window keeps it: localStorage, or the Electron preload's `chromeSocketsRecall`. */
export interface RecallStore {
  load(): Promise<unknown>;
  save(data: RecallData): Promise<unknown>;
}
