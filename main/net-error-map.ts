/**
 * The one table from Node/OS error codes to Chromium net error codes (spec §2.5:
 * net/base/net_errors_posix.cc MapSystemError, MapConnectError in net/socket/socket_posix.cc),
 * plus the Node-specific DNS and TLS failures.
 */
import { NET_ERRORS as E } from '../common/net-errors';

const SYSTEM: Readonly<Record<string, number>> = {
  ECONNREFUSED: E.CONNECTION_REFUSED,
  ECONNRESET: E.CONNECTION_RESET,
  ENETRESET: E.CONNECTION_RESET,
  EPIPE: E.CONNECTION_RESET,
  ECONNABORTED: E.CONNECTION_ABORTED,
  ETIMEDOUT: E.TIMED_OUT,
  EHOSTUNREACH: E.ADDRESS_UNREACHABLE,
  EHOSTDOWN: E.ADDRESS_UNREACHABLE,
  ENETUNREACH: E.ADDRESS_UNREACHABLE,
  EAFNOSUPPORT: E.ADDRESS_UNREACHABLE,
  EADDRNOTAVAIL: E.ADDRESS_INVALID,
  EADDRINUSE: E.ADDRESS_IN_USE,
  EACCES: E.ACCESS_DENIED,
  EPERM: E.ACCESS_DENIED,
  EMSGSIZE: E.MSG_TOO_BIG,
  ENOTCONN: E.SOCKET_NOT_CONNECTED,
  EISCONN: E.SOCKET_IS_CONNECTED,
  EINVAL: E.INVALID_ARGUMENT,
  ENETDOWN: E.INTERNET_DISCONNECTED,
  ENOBUFS: E.NO_BUFFER_SPACE,
  EMFILE: E.INSUFFICIENT_RESOURCES,
  ENFILE: E.INSUFFICIENT_RESOURCES,
  // Resolver failures (not Chrome facts: the spec's recommended mapping).
  ENOTFOUND: E.NAME_NOT_RESOLVED,
  EAI_AGAIN: E.NAME_NOT_RESOLVED,
  EAI_NONAME: E.NAME_NOT_RESOLVED,
  EAI_NODATA: E.NAME_NOT_RESOLVED,
  ENODATA: E.NAME_NOT_RESOLVED,
  // Node's own socket errors.
  ERR_SOCKET_BAD_PORT: E.INVALID_ARGUMENT,
  ERR_SOCKET_DGRAM_NOT_CONNECTED: E.SOCKET_NOT_CONNECTED,
  ERR_SOCKET_DGRAM_NOT_RUNNING: E.SOCKET_NOT_CONNECTED,
};

/** Certificate and handshake failures from Node's TLS (OpenSSL verify codes and Node's own). */
const TLS: Readonly<Record<string, number>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: E.CERT_AUTHORITY_INVALID,
  SELF_SIGNED_CERT_IN_CHAIN: E.CERT_AUTHORITY_INVALID,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: E.CERT_AUTHORITY_INVALID,
  UNABLE_TO_GET_ISSUER_CERT: E.CERT_AUTHORITY_INVALID,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: E.CERT_AUTHORITY_INVALID,
  CERT_UNTRUSTED: E.CERT_AUTHORITY_INVALID,
  CERT_HAS_EXPIRED: E.CERT_DATE_INVALID,
  CERT_NOT_YET_VALID: E.CERT_DATE_INVALID,
  ERR_TLS_CERT_ALTNAME_INVALID: E.CERT_COMMON_NAME_INVALID,
  CERT_REVOKED: E.CERT_REVOKED,
  CERT_SIGNATURE_FAILURE: E.CERT_INVALID,
  CERT_REJECTED: E.CERT_INVALID,
  INVALID_CA: E.CERT_INVALID,
  ERR_SSL_UNSUPPORTED_PROTOCOL: E.SSL_VERSION_OR_CIPHER_MISMATCH,
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: E.NO_SSL_VERSIONS_ENABLED,
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: E.SSL_VERSION_OR_CIPHER_MISMATCH,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: E.SSL_VERSION_OR_CIPHER_MISMATCH,
  ERR_SSL_NO_SHARED_CIPHER: E.SSL_VERSION_OR_CIPHER_MISMATCH,
  ERR_SSL_WRONG_VERSION_NUMBER: E.SSL_PROTOCOL_ERROR,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: E.SSL_CLIENT_AUTH_CERT_NEEDED,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: E.BAD_SSL_CLIENT_AUTH_CERT,
  ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC: E.SSL_BAD_RECORD_MAC_ALERT,
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: E.SSL_DECRYPT_ERROR_ALERT,
  ERR_SSL_TLSV1_UNRECOGNIZED_NAME: E.SSL_UNRECOGNIZED_NAME_ALERT,
};

export type Operation = 'connect' | 'listen' | 'bind' | 'send' | 'receive' | 'tls' | 'general';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The net error for a failure of `op`. Connect has its own twists (MapConnectError): a timeout
 * is CONNECTION_TIMED_OUT, EACCES is NETWORK_ACCESS_DENIED, and an unknown failure is
 * CONNECTION_FAILED rather than FAILED.
 */
export function netErrorFrom(error: unknown, op: Operation = 'general'): number {
  const code = codeOf(error);
  if (op === 'tls') {
    if (code !== undefined && code in TLS) return TLS[code];
    if (code !== undefined && code.startsWith('ERR_SSL_')) return E.SSL_PROTOCOL_ERROR;
    if (code === 'ECONNRESET' || code === 'EPIPE') return E.CONNECTION_RESET;
    if (code !== undefined && code in SYSTEM) return SYSTEM[code];
    return E.SSL_PROTOCOL_ERROR;
  }
  if (op === 'connect') {
    if (code === 'ETIMEDOUT') return E.CONNECTION_TIMED_OUT;
    if (code === 'EACCES') return E.NETWORK_ACCESS_DENIED;
  }
  const mapped = code !== undefined ? SYSTEM[code] : undefined;
  if (mapped !== undefined) return mapped;
  return op === 'connect' ? E.CONNECTION_FAILED : E.FAILED;
}
