/**
 * The `ecs-*` window features: how chrome.app.window.create (browser/app-runtime/app-window.ts,
 * a `window.open` from the background page) tells the Electron runner's window-open handler
 * (main/runner/electron-runner.ts) what BrowserWindow to make. Browsers ignore features they do
 * not know, so the browser mode sends them too. Values are URI-encoded: ids may hold `,` and `=`.
 */

/** The create options the features carry. */
export interface WindowFeatureOptions {
  readonly id?: unknown;
  readonly frame?: unknown;
  readonly hidden?: unknown;
  readonly resizable?: unknown;
  readonly alwaysOnTop?: unknown;
  readonly state?: unknown;
}

export interface AppWindowRequest {
  readonly id: string;
  /** Created with a caller-given id: its bounds are remembered across runs (as in Chrome). */
  readonly remember: boolean;
  readonly frameless: boolean;
  readonly hidden: boolean;
  readonly resizable: boolean;
  readonly alwaysOnTop: boolean;
  readonly state?: string;
}

/** The features for a window of id `id` (the caller's id, or a generated one) created with `options`. */
export function appWindowFeatures(id: string, options: WindowFeatureOptions): string[] {
  const features = [`ecs-window-id=${encodeURIComponent(id)}`];
  if (options.id !== undefined) features.push('ecs-remember=1');
  const frame = options.frame;
  if (frame === 'none' || (typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'none'))
    features.push('ecs-frame=none');
  if (options.hidden === true) features.push('ecs-hidden=1');
  if (options.resizable === false) features.push('ecs-resizable=0');
  if (options.alwaysOnTop === true) features.push('ecs-always-on-top=1');
  if (typeof options.state === 'string' && options.state !== 'normal') features.push(`ecs-state=${encodeURIComponent(options.state)}`);
  return features;
}

/** Reads the features back; undefined without a (well-formed) window id. */
export function parseAppWindowFeatures(features: string): AppWindowRequest | undefined {
  const values = new Map<string, string>();
  for (const part of features.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key.startsWith('ecs-')) values.set(key, eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  const rawId = values.get('ecs-window-id');
  if (rawId === undefined || rawId === '') return undefined;
  let id: string;
  let state: string | undefined;
  try {
    id = decodeURIComponent(rawId);
    state = values.has('ecs-state') ? decodeURIComponent(values.get('ecs-state') ?? '') : undefined;
  } catch {
    return undefined;
  }
  return {
    id,
    remember: values.get('ecs-remember') === '1',
    frameless: values.get('ecs-frame') === 'none',
    hidden: values.get('ecs-hidden') === '1',
    resizable: values.get('ecs-resizable') !== '0',
    alwaysOnTop: values.get('ecs-always-on-top') === '1',
    ...(state === undefined ? {} : { state }),
  };
}
