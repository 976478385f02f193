/** Every socket of the raw namespace (the other socket APIs): one registry, one id space. */
import type { RawServer } from './raw-server';
import type { RawTcp } from './raw-tcp';
import type { RawUdp } from './raw-udp';

export type RawSocket = RawTcp | RawServer | RawUdp;
