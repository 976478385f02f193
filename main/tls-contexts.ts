/**
 * The TLS contexts secure() verifies peers with: Node's bundled roots plus `options.tls.ca`,
 * one context per version range. Built once each: loading ~150 roots costs tens of milliseconds.
 */
import * as tls from 'node:tls';

export class TlsContexts {
  /** Trusted roots: Node's bundled ones plus `options.tls.ca`. */
  private readonly trustedCa: Array<string | Buffer>;
  private readonly contexts = new Map<string, tls.SecureContext>();

  constructor(ca: string | Buffer | Array<string | Buffer> | undefined) {
    const extra = ca === undefined ? [] : Array.isArray(ca) ? ca : [ca];
    this.trustedCa = [...tls.rootCertificates, ...extra];
  }

  get(minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion): tls.SecureContext {
    const key = `${minVersion}-${maxVersion}`;
    let context = this.contexts.get(key);
    if (context === undefined) {
      context = tls.createSecureContext({ ca: this.trustedCa, minVersion, maxVersion });
      this.contexts.set(key, context);
    }
    return context;
  }
}
