/**
 * What the debugging window shows of a TLS session: protocol, cipher and the peer's certificate
 * (subject, issuer, validity, SHA-256 fingerprint). For the inspector and the tap only; the
 * chrome.sockets API shows an app nothing of this, as in Chrome.
 */
import { X509Certificate } from 'node:crypto';
import type * as tls from 'node:tls';
import type { InspectCertificate, InspectTls } from '../../common/inspect-types';

function distinguishedName(name: unknown): string {
  if (typeof name !== 'object' || name === null) return '';
  return Object.entries(name as Record<string, unknown>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** The window's view of a certificate Node parsed (tls.PeerCertificate). */
export function describePeerCertificate(c: tls.PeerCertificate): InspectCertificate {
  return {
    subject: distinguishedName(c.subject),
    issuer: distinguishedName(c.issuer),
    validFrom: c.valid_from,
    validTo: c.valid_to,
    fingerprint256: c.fingerprint256,
    ...(c.subjectaltname ? { subjectAltName: c.subjectaltname } : {}),
  };
}

/** The window's view of a PEM or DER certificate (X509Certificate's names are one per line). */
export function describeX509(x: X509Certificate): InspectCertificate {
  return {
    subject: x.subject.split('\n').join(', '),
    issuer: x.issuer.split('\n').join(', '),
    validFrom: x.validFrom,
    validTo: x.validTo,
    fingerprint256: x.fingerprint256,
    ...(x.subjectAltName ? { subjectAltName: x.subjectAltName } : {}),
  };
}

/** Protocol, cipher and peer certificate of an established TLS socket. */
export function tlsSessionOf(socket: tls.TLSSocket): InspectTls {
  const cipher = socket.getCipher();
  const peer = socket.getPeerCertificate();
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher.standardName || cipher.name,
    ...(peer && peer.raw ? { peerCertificate: describePeerCertificate(peer) } : {}),
  };
}

/** The highest certificate of the chain the peer sent, as X509, and whether it is self-signed. */
export function chainTop(peer: tls.DetailedPeerCertificate): { top: X509Certificate; anchor: boolean } {
  let c = peer;
  const seen = new Set<string>();
  // Node links each certificate to its issuer; a self-signed one links to itself.
  while (c.issuerCertificate && c.issuerCertificate !== c && c.issuerCertificate.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    c = c.issuerCertificate;
  }
  const top = new X509Certificate(c.raw);
  return { top, anchor: top.checkIssued(top) && top.verify(top.publicKey) };
}
