/**
 * What every page of a runner app knows before its first script runs: the app's id, its
 * (localised) manifest and its messages. The runner serves it with the runtime (browser mode)
 * or hands it to the preload (Electron).
 */
export interface AppConfig {
  /** Chrome's app id (32 letters a–p). */
  readonly id: string;
  /** manifest.json with `__MSG_…__` in name, short_name and description resolved. */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** The raw manifest, as chrome.runtime.getManifest()… returns the localised one; kept for reference. */
  readonly messages: Readonly<Record<string, I18nMessage>>;
  /** The UI locale messages were chosen for, e.g. `en-US` (chrome.i18n.getUILanguage). */
  readonly uiLocale: string;
  /** The manifest's permission names (object entries by key). */
  readonly permissions: readonly string[];
  /** Path of the background page at the origin root, e.g. `/_generated_background_page.html`. */
  readonly backgroundPath: string;
}

/** One entry of `_locales/<l>/messages.json`, names lower-cased as Chrome matches them. */
export interface I18nMessage {
  readonly message: string;
  readonly placeholders?: Readonly<Record<string, { readonly content: string }>>;
}
