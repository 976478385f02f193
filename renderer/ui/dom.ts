/** A few DOM helpers so views read as structure rather than as createElement noise. */

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown> & {
  class?: string;
  style?: Partial<CSSStyleDeclaration>;
  dataset?: Record<string, string>;
};

/**
 * `h('button', { class: 'primary', onclick }, 'Send')`. Keys starting with `on` become listeners,
 * `aria-*`, `role`, `for` and `data-*` become attributes; everything else is set as a property.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === 'class') el.className = String(value);
      else if (key === 'style') Object.assign(el.style, value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value as EventListener);
      else if (key.startsWith('aria-') || key.startsWith('data-') || key === 'role' || key === 'for' || key === 'list')
        el.setAttribute(key, String(value));
      else (el as unknown as Record<string, unknown>)[key] = value;
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces all children. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** Sets textContent only when it changed (cheap repaints during floods). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A labelled form field: `<label><span>Port</span><input></label>`. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    control,
    hint ? h('span', { class: 'field-hint' }, hint) : null,
  );
}

export function checkbox(label: string, checked = false, title?: string): { root: HTMLLabelElement; input: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', checked });
  const root = h('label', { class: 'check', title }, input, h('span', null, label));
  return { root, input };
}

/** A group of toggle buttons acting as a radio group (arrow keys move, like a native one). */
export function segmented<T extends string>(
  name: string,
  options: readonly { value: T; label: string; title?: string }[],
  initial: T,
  onChange: (v: T) => void,
): { root: HTMLElement; set(v: T): void; get(): T } {
  let current = initial;
  const buttons = options.map((o) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg',
        title: o.title,
        role: 'radio',
        'aria-checked': String(o.value === initial),
        onclick: () => choose(o.value, true),
        onkeydown: (ev: KeyboardEvent) => {
          const i = options.findIndex((x) => x.value === current);
          const d = ev.key === 'ArrowRight' || ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowLeft' || ev.key === 'ArrowUp' ? -1 : 0;
          if (!d) return;
          ev.preventDefault();
          const next = options[(i + d + options.length) % options.length]!;
          choose(next.value, true);
          buttons[options.indexOf(next)]!.focus();
        },
      },
      o.label,
    ),
  );
  const root = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': name }, ...buttons);
  function choose(v: T, notify: boolean) {
    current = v;
    options.forEach((o, i) => {
      const b = buttons[i]!;
      b.setAttribute('aria-checked', String(o.value === v));
      b.tabIndex = o.value === v ? 0 : -1;
    });
    if (notify) onChange(v);
  }
  choose(initial, false);
  return { root, set: (v) => choose(v, false), get: () => current };
}

/** Parses an integer field; undefined when blank, NaN when not an integer. */
export function intValue(input: HTMLInputElement): number | undefined {
  const s = input.value.trim();
  if (s === '') return undefined;
  return /^-?\d+$/.test(s) ? Number(s) : NaN;
}
