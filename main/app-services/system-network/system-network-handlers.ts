/**
 * chrome.system.network.getNetworkInterfaces: `{ name, address, prefixLength }` per address,
 * loopback interfaces left out as Chromium's net::GetNetworkList leaves them out.
 */
import * as os from 'node:os';
import type { NamespaceHandlers } from '../../dispatch';
import { servedApp, type ServedApps } from '../served-app';

export interface NetworkInterface {
  name: string;
  address: string;
  prefixLength: number;
}

export function networkInterfaces(source: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): NetworkInterface[] {
  const out: NetworkInterface[] = [];
  for (const [name, infos] of Object.entries(source)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      const prefixLength = Number((info.cidr ?? '/0').split('/')[1]);
      out.push({ name, address: info.address, prefixLength });
    }
  }
  return out;
}

export function createSystemNetworkHandlers(apps: ServedApps): NamespaceHandlers<'systemNetwork'> {
  return {
    getNetworkInterfaces(scope) {
      servedApp(apps, scope.app.name, 'system.network', 'system.network');
      return [networkInterfaces()];
    },
  };
}
