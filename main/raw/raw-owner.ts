/**
 * The other socket APIs bind a socket to the page that made it (Gecko closes them when the
 * window goes, Direct Sockets when the document does): the owning context gets its events and
 * its end closes the socket.
 */
import type { PageContext } from '../page-context';

export abstract class RawOwner {
  constructor(readonly ctx: PageContext) {}
}
