/**
 * How handlers fail. A handler throws a CallError; one place in the host turns it into the
 * wire result `{ a: args, e: { message, resultCode } }` (Chrome's Error / ErrorWithCode /
 * ErrorWithArguments response shapes, spec §2.1).
 */
import { netErrorMessage } from '../common/net-errors';

export class CallError extends Error {
  constructor(
    message: string,
    /** The callback's arguments that accompany lastError ([] for Chrome's plain Error()). */
    readonly args: readonly unknown[] = [],
    readonly resultCode?: number,
  ) {
    super(message);
  }
}

export const SOCKET_NOT_FOUND = 'Socket not found';

/** `Socket not found` with the callback arguments the method gives for it. */
export function notFound(args: readonly unknown[] = []): CallError {
  return new CallError(SOCKET_NOT_FOUND, args);
}

/** ErrorWithCode: the callback gets `(code)` and lastError is `net::ERR_…`. */
export function codeError(code: number): CallError {
  return new CallError(netErrorMessage(code), [code], code);
}

/** ErrorWithArguments as send uses it: the callback gets `({resultCode})`. */
export function sendError(code: number): CallError {
  return new CallError(netErrorMessage(code), [{ resultCode: code }], code);
}

/** Chrome's uint16 parameters: ports outside 0..65535 wrap rather than fail (spec §4.7). */
export function wrapPort(port: number): number {
  return ((port % 65536) + 65536) % 65536;
}
