/**
 * Reads an unpacked Chrome App: manifest.json checked as Chrome checks a packaged app
 * (manifest_version 2, app.background), its id (Chrome's algorithm), its permissions, its
 * "sockets" section (Chrome's pattern rules) and its `_locales` messages for the UI locale.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SocketsManifest } from '../../common/api-types';
import type { I18nMessage } from '../../preload/app-runtime/app-config';
import { formatMessage } from '../../preload/app-runtime/i18n';
import { chromeAppId } from '../app-id';
import { SocketsPolicy } from '../permissions';

/** Chrome's path of the page it generates for `app.background.scripts`. */
export const GENERATED_BACKGROUND_PAGE = '_generated_background_page.html';

export class ManifestError extends Error {}

export interface ChromeApp {
  /** Absolute path of the app directory. */
  readonly dir: string;
  readonly id: string;
  /** manifest.json as written. */
  readonly rawManifest: Readonly<Record<string, unknown>>;
  /** With `__MSG_…__` resolved in name, short_name and description. */
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly name: string;
  readonly version: string;
  readonly permissions: readonly string[];
  readonly sockets?: SocketsManifest;
  /** `{ scripts }` or `{ page }`, paths relative to the app root. */
  readonly background: { readonly scripts: readonly string[] } | { readonly page: string };
  /** The background page's path at the origin root, e.g. `/_generated_background_page.html`. */
  readonly backgroundPath: string;
  /** `"persistent": false`: an event page (kept loaded anyway; README). */
  readonly eventPage: boolean;
  readonly messages: Readonly<Record<string, I18nMessage>>;
  readonly uiLocale: string;
}

/** Chrome's id: from the manifest `key` (base64 DER public key) if present, else the directory's absolute path. */
export function appIdFor(dir: string, key: unknown): string {
  if (typeof key === 'string' && key !== '') return chromeAppId(Buffer.from(key, 'base64'));
  return chromeAppId(path.resolve(dir));
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`Cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    // Chrome accepts a BOM and comments in manifest.json / messages.json.
    return JSON.parse(text.replace(/^\uFEFF/, '').replace(/^\s*\/\/.*$/gm, ''));
  } catch (err) {
    throw new ManifestError(`${what} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function loadMessages(dir: string, defaultLocale: string | undefined, uiLocale: string): Record<string, I18nMessage> {
  if (defaultLocale === undefined) return {};
  const ui = uiLocale.replace('-', '_');
  // Chrome's fallback chain: the full UI locale, its language, then default_locale.
  const chain = [...new Set([ui, ui.split('_')[0], defaultLocale])].reverse();
  const out: Record<string, I18nMessage> = {};
  for (const locale of chain) {
    const file = path.join(dir, '_locales', locale, 'messages.json');
    if (!existsSync(file)) {
      if (locale === defaultLocale) throw new ManifestError(`default_locale '${defaultLocale}': ${file} does not exist`);
      continue;
    }
    const data = readJson(file, 'messages') as Record<string, { message?: unknown; placeholders?: Record<string, { content: string }> }>;
    for (const [name, entry] of Object.entries(data ?? {})) {
      if (typeof entry?.message !== 'string') throw new ManifestError(`${file}: message '${name}' has no "message" string`);
      out[name.toLowerCase()] = { message: entry.message, placeholders: entry.placeholders };
    }
  }
  return out;
}

/** `__MSG_name__` → the message, as Chrome localises manifest strings. */
function localise(value: unknown, messages: Record<string, I18nMessage>): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/__MSG_([A-Za-z0-9_@]+)__/g, (_m, name: string) => {
    const message = messages[name.toLowerCase()];
    return message === undefined ? '' : formatMessage(message, []);
  });
}

/**
 * Loads the app in `dir`. Throws ManifestError naming the field for anything that is not a
 * packaged app Chrome would load.
 */
export function loadChromeApp(dir: string, options: { uiLocale?: string } = {}): ChromeApp {
  const absolute = path.resolve(dir);
  const raw = readJson(path.join(absolute, 'manifest.json'), 'manifest');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ManifestError('manifest.json: expected a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.manifest_version !== 2) {
    throw new ManifestError(
      `manifest_version: packaged apps need 2 (found ${JSON.stringify(m.manifest_version)}); Chrome Apps never existed for manifest_version 3`,
    );
  }
  const app = m.app as Record<string, unknown> | undefined;
  if (app === undefined) {
    throw new ManifestError(
      m.background !== undefined || m.browser_action !== undefined || m.content_scripts !== undefined
        ? 'app: missing; this manifest is an extension, not a packaged app (a packaged app has app.background)'
        : 'app: missing; a packaged app needs "app": { "background": { "scripts": [...] } }',
    );
  }
  if (typeof app !== 'object' || app === null) throw new ManifestError('app: expected an object');
  if (app.launch !== undefined || app.urls !== undefined) {
    throw new ManifestError(
      'app.launch: this is a hosted app (or a legacy packaged app), not a packaged app; only app.background apps can run',
    );
  }
  const bg = app.background as Record<string, unknown> | undefined;
  if (typeof bg !== 'object' || bg === null)
    throw new ManifestError('app.background: missing; a packaged app needs app.background.scripts or app.background.page');
  let background: ChromeApp['background'];
  if (bg.scripts !== undefined) {
    if (!Array.isArray(bg.scripts) || bg.scripts.length === 0 || !bg.scripts.every((s) => typeof s === 'string' && s !== '')) {
      throw new ManifestError('app.background.scripts: expected a non-empty list of file names');
    }
    if (bg.page !== undefined) throw new ManifestError('app.background: give scripts or page, not both');
    background = { scripts: bg.scripts as string[] };
  } else if (typeof bg.page === 'string' && bg.page !== '') {
    background = { page: bg.page };
  } else {
    throw new ManifestError('app.background: needs "scripts" (a list) or "page" (a file name)');
  }
  if (typeof m.name !== 'string' || m.name === '') throw new ManifestError('name: required (a non-empty string)');
  if (typeof m.version !== 'string' || !/^\d+(\.\d+){0,3}$/.test(m.version)) {
    throw new ManifestError(`version: required, one to four dot-separated integers (found ${JSON.stringify(m.version)})`);
  }
  const permissions: string[] = [];
  if (m.permissions !== undefined) {
    if (!Array.isArray(m.permissions)) throw new ManifestError('permissions: expected a list');
    for (const p of m.permissions) {
      if (typeof p === 'string') permissions.push(p);
      else if (typeof p === 'object' && p !== null && !Array.isArray(p)) permissions.push(...Object.keys(p));
      else throw new ManifestError(`permissions: unexpected entry ${JSON.stringify(p)}`);
    }
  }
  let sockets: SocketsManifest | undefined;
  if (m.sockets !== undefined) {
    try {
      SocketsPolicy.parse(m.sockets as SocketsManifest);
    } catch (err) {
      throw new ManifestError(`sockets: ${(err as Error).message}`);
    }
    sockets = m.sockets as SocketsManifest;
  }
  if (m.default_locale !== undefined && typeof m.default_locale !== 'string') throw new ManifestError('default_locale: expected a string');
  const hasLocales = existsSync(path.join(absolute, '_locales'));
  if (hasLocales && m.default_locale === undefined) throw new ManifestError('default_locale: required when the app has a _locales folder');
  const uiLocale = options.uiLocale ?? (Intl.DateTimeFormat().resolvedOptions().locale || 'en-US');
  const messages = loadMessages(absolute, m.default_locale as string | undefined, uiLocale);
  const manifest: Record<string, unknown> = { ...m };
  for (const field of ['name', 'short_name', 'description']) if (field in manifest) manifest[field] = localise(manifest[field], messages);
  const backgroundPath = 'scripts' in background ? `/${GENERATED_BACKGROUND_PAGE}` : `/${background.page.replace(/^\//, '')}`;
  return {
    dir: absolute,
    id: appIdFor(absolute, m.key),
    rawManifest: m,
    manifest,
    name: manifest.name as string,
    version: m.version,
    permissions,
    sockets,
    background,
    backgroundPath,
    eventPage: bg.persistent === false,
    messages,
    uiLocale,
  };
}
