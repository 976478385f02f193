/**
 * The TLS contexts secure() verifies peers with: Node's bundled roots plus `options.tls.ca`,
 * plus the certificates an app was given at run time (the debugging window's "Trust this
 * certificate", kept out of reach of pages), one context per app and version range. Built once
 * each: loading ~150 roots costs tens of milliseconds.
 */
import * as tls from 'node:tls';
import type { InspectCertificate } from '../common/inspect-types';

export interface TrustedCertificate {
  readonly pem: string;
  readonly certificate: InspectCertificate;
}

export class TlsContexts {
  /** Trusted roots: Node's bundled ones plus `options.tls.ca`. */
  private readonly trustedCa: Array<string | Buffer>;
  private readonly contexts = new Map<string, tls.SecureContext>();
  /** Certificates trusted at run time, per app, by SHA-256 fingerprint (this session only). */
  private readonly appTrust = new Map<string, Map<string, TrustedCertificate>>();

  constructor(ca: string | Buffer | Array<string | Buffer> | undefined) {
    const extra = ca === undefined ? [] : Array.isArray(ca) ? ca : [ca];
    this.trustedCa = [...tls.rootCertificates, ...extra];
  }

  get(minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion, app?: string): tls.SecureContext {
    const extra = app === undefined ? undefined : this.appTrust.get(app);
    const key = extra === undefined ? `${minVersion}-${maxVersion}` : `${app}\n${minVersion}-${maxVersion}`;
    let context = this.contexts.get(key);
    if (context === undefined) {
      const ca = extra === undefined ? this.trustedCa : [...this.trustedCa, ...[...extra.values()].map((c) => c.pem)];
      context = tls.createSecureContext({ ca, minVersion, maxVersion });
      this.contexts.set(key, context);
    }
    return context;
  }

  /** How many certificates `app` was given at run time, and whether `fingerprint256` is one. */
  trustedCount(app: string): number {
    return this.appTrust.get(app)?.size ?? 0;
  }

  isTrusted(app: string, fingerprint256: string): boolean {
    return this.appTrust.get(app)?.has(fingerprint256) === true;
  }

  /** Adds a run-time trusted certificate for `app`; its contexts are built anew on next use. */
  trust(app: string, fingerprint256: string, entry: TrustedCertificate): void {
    let certs = this.appTrust.get(app);
    if (certs === undefined) this.appTrust.set(app, (certs = new Map()));
    certs.set(fingerprint256, entry);
    for (const key of [...this.contexts.keys()]) if (key.startsWith(`${app}\n`)) this.contexts.delete(key);
  }

  /** Every run-time trusted certificate, for the inspector. */
  trusted(): Array<{ app: string; certificate: InspectCertificate }> {
    return [...this.appTrust].flatMap(([app, certs]) => [...certs.values()].map(({ certificate }) => ({ app, certificate })));
  }
}
