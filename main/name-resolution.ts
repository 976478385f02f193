/**
 * Name resolution as every namespace does it: a canonical host (host-name.ts) is resolved the
 * way the dnsQueryType asks; IP literals skip the resolver. Only canonical names reach it: what
 * was checked against the manifest is what is resolved.
 */
import type * as dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { NET_ERRORS } from '../common/net-errors';
import type { CanonicalHost } from './host-name';
import { netErrorFrom } from './net-error-map';

export function resolveHost(lookup: LookupFunction, target: CanonicalHost, dnsQueryType: string | undefined): Promise<dns.LookupAddress[]> {
  const family = dnsQueryType === 'ipv4' ? 4 : dnsQueryType === 'ipv6' ? 6 : 0;
  const name = target.name;
  const literal = target.family;
  if (literal !== 0) {
    if (family !== 0 && family !== literal)
      return Promise.reject(Object.assign(new Error('address family mismatch'), { code: 'ENOTFOUND' }));
    return Promise.resolve([{ address: name, family: literal }]);
  }
  return new Promise((resolve, reject) => {
    lookup(name, { all: true, family }, (error, addresses) => {
      if (error) return reject(error);
      const list = (
        Array.isArray(addresses) ? addresses : [{ address: addresses as unknown as string, family: family || 4 }]
      ) as dns.LookupAddress[];
      if (list.length === 0) return reject(Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' }));
      resolve(list);
    });
  });
}

/** A resolver failure as Chrome reports it: ERR_NAME_NOT_RESOLVED unless the OS said more. */
export function dnsError(error: unknown): number {
  const code = netErrorFrom(error);
  return code === NET_ERRORS.FAILED ? NET_ERRORS.NAME_NOT_RESOLVED : code;
}
