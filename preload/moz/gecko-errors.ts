/**
 * Gecko's error names and classes (TCPSocket.cpp; other-socket-apis.md §1.4) from the host's
 * net error code and, where Node says more, its error code.
 */
import type { RawCallError } from '../raw-client';

export interface GeckoError {
  /** e.g. `ConnectionRefusedError`, `SecurityUntrustedCertificateIssuerError`. */
  name: string;
  /** The class: `Network`, `SecurityProtocol` or `SecurityCertificate`. */
  message: string;
}

const NETWORK: Readonly<Record<number, string>> = {
  [-102]: 'ConnectionRefusedError',
  [-118]: 'NetworkTimeoutError',
  [-7]: 'NetworkTimeoutError',
  [-105]: 'DomainNotFoundError',
  [-137]: 'DomainNotFoundError',
  [-103]: 'NetworkInterruptError',
};

const CERTIFICATE: Readonly<Record<number, string>> = {
  [-201]: 'SecurityExpiredCertificateError',
  [-206]: 'SecurityRevokedCertificateError',
  [-202]: 'SecurityUntrustedCertificateIssuerError',
  [-200]: 'SecurityCertificateDomainMismatchError',
  [-208]: 'SecurityCertificateSignatureAlgorithmDisabledError',
  [-207]: 'SecurityBadCertificateError',
};

const PROTOCOL: Readonly<Record<number, string>> = {
  [-113]: 'SecurityUnsupportedTLSVersionError',
  [-112]: 'SecurityUnsupportedTLSVersionError',
  [-110]: 'SecurityNoCertificateError',
};

/** TLS failures the host reports: SSL_* (-107, -110…-181) and CERT_* (-200…-299). */
function isSecurity(code: number): boolean {
  return (code <= -200 && code > -300) || code === -107 || (code <= -110 && code >= -181 && ![-118, -137, -138, -142, -147].includes(code));
}

export function geckoError(error: RawCallError): GeckoError {
  const code = error.resultCode;
  if (code <= -200 && code > -300) return { name: CERTIFICATE[code] ?? 'SecurityError', message: 'SecurityCertificate' };
  if (isSecurity(code)) return { name: PROTOCOL[code] ?? 'SecurityError', message: 'SecurityProtocol' };
  // Node's EPIPE and ECONNABORTED are Gecko's interrupted connection; a reset is a plain NetworkError.
  if (/\b(EPIPE|ECONNABORTED)\b/.test(error.message)) return { name: 'NetworkInterruptError', message: 'Network' };
  return { name: NETWORK[code] ?? 'NetworkError', message: 'Network' };
}
