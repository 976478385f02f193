/**
 * The inspector's data work, kept DOM-free: stable ordering, text filtering, per-socket rates from
 * two consecutive snapshots, and the per-app summary line.
 */
import type { InspectContext, InspectSnapshot, InspectSocket } from '../../common/inspect-types';
import { formatEndpoint } from './format';

export const KIND_NAME: Readonly<Record<InspectSocket['kind'], string>> = { tcp: 'TCP', tcpServer: 'Server', udp: 'UDP', raw: 'Other API' };

export function socketKey(s: InspectSocket): string {
  return `${s.app}/${s.kind}/${s.id}`;
}

/** By app, then kind (servers before their connections), then id. */
export function sortSockets(sockets: readonly InspectSocket[]): InspectSocket[] {
  const order: Record<InspectSocket['kind'], number> = { tcpServer: 0, tcp: 1, udp: 2, raw: 3 };
  return [...sockets].sort((a, b) => a.app.localeCompare(b.app) || order[a.kind] - order[b.kind] || a.id - b.id);
}

/** Case-insensitive match on app, kind, id, name, state, addresses and pause reasons. */
export function matchesFilter(s: InspectSocket, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const fields = [
    s.app,
    s.kind,
    KIND_NAME[s.kind],
    String(s.id),
    `#${s.id}`,
    s.name ?? '',
    s.state,
    formatEndpoint(s.localAddress, s.localPort),
    formatEndpoint(s.peerAddress, s.peerPort),
    ...s.pausedBy.map((r) => `paused:${r}`),
  ];
  return q.split(/\s+/).every((term) => fields.some((f) => f.toLowerCase().includes(term)));
}

/** Remembers the previous snapshot's byte counts to turn counters into bytes per second. */
export class RateTracker {
  private previous?: { at: number; bytes: Map<string, number> };
  private rates = new Map<string, number>();

  update(snapshot: InspectSnapshot, at: number): void {
    const bytes = new Map<string, number>();
    for (const s of snapshot.sockets) bytes.set(socketKey(s), s.bytesReceived + s.bytesSent);
    const prev = this.previous;
    this.rates = new Map();
    if (prev && at > prev.at) {
      const seconds = (at - prev.at) / 1000;
      for (const [key, total] of bytes) {
        const before = prev.bytes.get(key);
        // A smaller count means a different socket reusing the key after a host restart.
        if (before !== undefined && total >= before) this.rates.set(key, (total - before) / seconds);
      }
    }
    this.previous = { at, bytes };
  }

  rate(s: InspectSocket): number | undefined {
    return this.rates.get(socketKey(s));
  }
}

export interface AppSummary {
  readonly app: string;
  readonly contexts: readonly InspectContext[];
  readonly sockets: number;
  readonly flowBlocked: boolean;
  readonly writeQuota?: { readonly used: number; readonly limit: number };
}

/** One line per app: its contexts (from `contexts`) and how many sockets it holds. */
export function summariseApps(snapshot: InspectSnapshot): AppSummary[] {
  const names = new Set<string>([...snapshot.contexts.map((c) => c.app), ...snapshot.sockets.map((s) => s.app)]);
  return [...names].sort().map((app) => {
    const contexts = snapshot.contexts.filter((c) => c.app === app);
    return {
      app,
      contexts,
      sockets: snapshot.sockets.filter((s) => s.app === app).length,
      flowBlocked: contexts.some((c) => c.flowBlocked === true),
      writeQuota: snapshot.apps?.find((a) => a.app === app)?.writeQuota,
    };
  });
}
