/** The window's memory in the browser: one localStorage key (common/window-recall.ts). */
import type { RecallStore } from '../../common/window-recall';

/** Nothing is kept when storage is off or full; the window keeps working from memory. */
export function localStorageStore(key = 'electron-chrome-sockets.recall'): RecallStore {
  return {
    load: () => {
      try {
        const raw = localStorage.getItem(key);
        return Promise.resolve(raw === null ? undefined : (JSON.parse(raw) as unknown));
      } catch {
        return Promise.resolve(undefined);
      }
    },
    save: (data) => {
      try {
        localStorage.setItem(key, JSON.stringify(data));
      } catch {
        /* storage full or disabled: the window keeps working from memory */
      }
      return Promise.resolve();
    },
  };
}
