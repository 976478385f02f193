/**
 * chrome.i18n: getMessage with Chrome's substitution rules (extensions/common/message_bundle.cc):
 * message names and placeholder names are case-insensitive; `$name$` is replaced by the
 * placeholder's content, then `$1`…`$9` by the substitutions (missing ones by ""), and `$$` is
 * a literal `$`. Unknown messages give "". Predefined `@@extension_id`, `@@ui_locale`,
 * `@@bidi_dir` and friends as Chrome defines them.
 */
import type { AppConfig, I18nMessage } from './app-config';

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'iw']);

function replaceSubstitutions(text: string, substitutions: readonly string[]): string {
  return text.replace(/\$(\$|[1-9])/g, (_m, what: string) => (what === '$' ? '$' : (substitutions[Number(what) - 1] ?? '')));
}

/** The message's text with its placeholders and `$1`…`$9` filled in. */
export function formatMessage(message: I18nMessage, substitutions: readonly string[]): string {
  const placeholders = new Map(Object.entries(message.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content] as const));
  const withPlaceholders = message.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const content = placeholders.get(name.toLowerCase());
    return content === undefined ? whole : content;
  });
  return replaceSubstitutions(withPlaceholders, substitutions);
}

export function createI18n(config: AppConfig) {
  const lang = config.uiLocale.split(/[-_]/)[0].toLowerCase();
  const rtl = RTL_LANGUAGES.has(lang);
  const predefined: Record<string, string> = {
    '@@extension_id': config.id,
    '@@ui_locale': config.uiLocale.replace('-', '_'),
    '@@bidi_dir': rtl ? 'rtl' : 'ltr',
    '@@bidi_reversed_dir': rtl ? 'ltr' : 'rtl',
    '@@bidi_start_edge': rtl ? 'right' : 'left',
    '@@bidi_end_edge': rtl ? 'left' : 'right',
  };
  return {
    getMessage(messageName: unknown, substitutions?: unknown): string {
      if (typeof messageName !== 'string') {
        throw new TypeError(
          'Error in invocation of i18n.getMessage(string messageName, optional any substitutions, optional object options): No matching signature.',
        );
      }
      const subs =
        substitutions === undefined || substitutions === null ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
      // Chrome: "Substitution strings must be at most 9" (logs and returns undefined beyond it).
      if (subs.length > 9) return undefined as unknown as string;
      const name = messageName.toLowerCase();
      if (Object.prototype.hasOwnProperty.call(predefined, name)) return predefined[name];
      const message = config.messages[name];
      return message === undefined ? '' : formatMessage(message, subs.map(String));
    },
    getUILanguage(): string {
      return config.uiLocale;
    },
    getAcceptLanguages(callback?: (languages: string[]) => void): Promise<string[]> | undefined {
      const languages = [config.uiLocale];
      if (callback === undefined) return Promise.resolve(languages);
      callback(languages);
      return undefined;
    },
  };
}
