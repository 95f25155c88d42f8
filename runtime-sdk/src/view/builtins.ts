// Built-in components: how WXML tags with behaviour become DOM, and which WeChat events
// their native controls produce. Tags without an entry here (view, text, label, block…)
// render as inert `wx-<tag>` elements styled by base.css.
import type { ElementSpec } from '../render/dom.ts';
import { truthy } from './attr-value.ts';
import { isSafeImageUrl } from './image-url.ts';
import { loadViewChunk } from './view-chunks.ts';

export interface BuiltinContext {
  /** Fires a WeChat component event (non-bubbling unless it is a bubbling type) at `el`. */
  emit(el: Element, name: string, detail: unknown): void;
  navigate(url: string, openType: string): void;
  /**
   * Package asset path or https URL → URL usable in the view (blob:), or undefined when it is
   * not in the package / not in the download domain list.
   */
  resolveAsset(path: string): string | undefined | Promise<string | undefined>;
  /** Whether a web-view may load this URL (HostApp/MiniProgram web-view whitelist). */
  webViewAllowed(url: string): boolean;
  /** A problem the page should hear of (a chunk that did not load). */
  onError?(message: string): void;
}

/**
 * A built-in whose code is a view chunk (view-chunks.ts): it takes over a `wx-<tag>` element the
 * renderer already created, so the element and its children stay where they are when the chunk
 * arrives after the first render.
 */
export interface LazySpec {
  upgrade(el: Element, ctx: BuiltinContext): void;
  setAttr(el: Element, name: string, value: string | undefined, ctx: BuiltinContext): void;
}

/** Tags whose code loads on first use, and their chunk. */
const LAZY: Record<string, string> = {
  swiper: 'view-swiper',
  'rich-text': 'view-rich-text',
  'scroll-view': 'view-scroll-view',
};

function lazy(ctx: BuiltinContext, tag: string, chunk: string): ElementSpec {
  let spec: LazySpec | undefined;
  // elements created before the chunk arrived, with the attributes set on them meanwhile
  const pending = new Map<Element, Map<string, string | undefined>>();
  return {
    create(doc) {
      const el = doc.createElement(`wx-${tag}`);
      if (spec) {
        spec.upgrade(el, ctx);
        return el;
      }
      if (!pending.size)
        loadViewChunk(chunk).then(
          (m) => {
            spec = m.specs[tag];
            for (const [p, attrs] of pending) {
              if (!spec) break;
              spec.upgrade(p, ctx);
              for (const [n, v] of attrs) {
                p.removeAttribute(n); // the spec decides what becomes an attribute
                spec.setAttr(p, n, v, ctx);
              }
            }
            pending.clear();
          },
          (err: unknown) => {
            pending.clear();
            ctx.onError?.(`<${tag}> cannot work: ${err instanceof Error ? err.message : String(err)}`);
          },
        );
      pending.set(el, new Map());
      return el;
    },
    setAttr(el, name, value) {
      if (spec) return spec.setAttr(el, name, value, ctx);
      // meanwhile (or for good, if the chunk cannot load) a plain element with its attributes
      pending.get(el)?.set(name, value);
      if (value === undefined) el.removeAttribute(name);
      else el.setAttribute(name, value);
    },
  };
}

const INNER = Symbol.for('tessera.inner');
type WithInner = Element & { [INNER]?: HTMLElement };

function inner<T extends HTMLElement>(el: Element): T {
  return (el as WithInner)[INNER] as T;
}

function withInner(doc: Document, outerTag: string, innerEl: HTMLElement): Element {
  const outer = doc.createElement(outerTag) as WithInner;
  outer[INNER] = innerEl;
  outer.appendChild(innerEl);
  return outer;
}

function imageUrl(ctx: BuiltinContext, src: string): string | undefined | Promise<string | undefined> {
  // Remote images go through the host, which checks the download domain list; so do the
  // files the mini-program downloaded (wxfile://tmp/…), which only the host holds.
  if (/^(https|wxfile):\/\//i.test(src)) return ctx.resolveAsset(src.trim());
  if (isSafeImageUrl(src)) return src;
  if (/^[a-z][a-z0-9+.-]*:/i.test(src)) return undefined; // javascript:, http:, file:… refused
  return ctx.resolveAsset(src);
}

function fieldValue(el: Element): [string, unknown] | undefined {
  const name = el.getAttribute('name');
  if (!name) return undefined;
  const tag = el.localName;
  const i = inner<HTMLInputElement>(el);
  if (tag === 'wx-switch' || tag === 'wx-checkbox') return [name, i?.checked ?? false];
  if (tag === 'wx-checkbox-group') return [name, groupValues(el, 'wx-checkbox')];
  if (tag === 'wx-radio-group') return [name, groupValues(el, 'wx-radio')[0] ?? ''];
  if (tag === 'wx-slider') return [name, Number(i?.value ?? 0)];
  if (tag === 'wx-picker') return [name, Number(i?.value ?? 0)];
  if (i && 'value' in i) return [name, i.value];
  return undefined;
}

function groupValues(group: Element, itemTag: string): string[] {
  const out: string[] = [];
  for (const item of Array.from(group.querySelectorAll(itemTag))) {
    if (inner<HTMLInputElement>(item)?.checked) out.push(item.getAttribute('value') ?? '');
  }
  return out;
}

export function formValues(form: Element): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of Array.from(form.querySelectorAll('[name]'))) {
    const fv = fieldValue(el);
    if (fv) out[fv[0]] = fv[1];
  }
  return out;
}

export function createBuiltins(ctx: BuiltinContext): (tag: string) => ElementSpec | undefined {
  const input = (multiline: boolean): ElementSpec => ({
    create(doc) {
      const control = doc.createElement(multiline ? 'textarea' : 'input') as HTMLInputElement;
      const el = withInner(doc, multiline ? 'wx-textarea' : 'wx-input', control);
      control.addEventListener('input', () =>
        ctx.emit(el, 'input', {
          value: control.value,
          cursor: control.selectionStart ?? control.value.length,
        }),
      );
      control.addEventListener('focus', () => ctx.emit(el, 'focus', { value: control.value }));
      control.addEventListener('blur', () => ctx.emit(el, 'blur', { value: control.value }));
      control.addEventListener('keydown', (e) => {
        if ((e as KeyboardEvent).key === 'Enter' && !multiline)
          ctx.emit(el, 'confirm', { value: control.value });
      });
      return el;
    },
    setAttr(el, name, value) {
      const c = inner<HTMLInputElement>(el);
      switch (name) {
        case 'value':
          // Only write when it differs, so typing state and the caret survive re-renders.
          if (c.value !== (value ?? '')) c.value = value ?? '';
          return;
        case 'placeholder':
          if (value === undefined) c.removeAttribute('placeholder');
          else c.setAttribute('placeholder', value);
          return;
        case 'disabled':
          c.disabled = truthy(value);
          return;
        case 'maxlength': {
          const n = Number(value);
          if (value === undefined || !Number.isFinite(n) || n < 0) c.removeAttribute('maxlength');
          else c.maxLength = n;
          return;
        }
        case 'password':
          c.type = truthy(value) ? 'password' : 'text';
          return;
        case 'type':
          c.type = value === 'number' || value === 'digit' ? 'number' : 'text';
          return;
        case 'focus':
          if (truthy(value)) queueMicrotask(() => c.focus());
          return;
        default:
          if (value === undefined) el.removeAttribute(name);
          else el.setAttribute(name, value);
      }
    },
  });

  const toggle = (tag: string, kind: 'checkbox' | 'radio'): ElementSpec => ({
    create(doc) {
      const c = doc.createElement('input');
      c.type = tag === 'wx-radio' ? 'radio' : 'checkbox';
      const el = withInner(doc, tag, c);
      c.addEventListener('change', () => {
        if (tag === 'wx-switch') {
          ctx.emit(el, 'change', { value: c.checked });
          return;
        }
        const group = el.closest(kind === 'checkbox' ? 'wx-checkbox-group' : 'wx-radio-group');
        if (kind === 'radio' && group) {
          for (const other of Array.from(group.querySelectorAll('wx-radio')))
            if (other !== el) inner<HTMLInputElement>(other).checked = false;
        }
        if (group) {
          const values = groupValues(group, kind === 'checkbox' ? 'wx-checkbox' : 'wx-radio');
          ctx.emit(group, 'change', { value: kind === 'checkbox' ? values : (values[0] ?? '') });
        }
      });
      return el;
    },
    setAttr(el, name, value) {
      const c = inner<HTMLInputElement>(el);
      if (name === 'checked') c.checked = truthy(value);
      else if (name === 'disabled') c.disabled = truthy(value);
      else if (value === undefined) el.removeAttribute(name);
      else el.setAttribute(name, value);
    },
  });

  const specs: Record<string, ElementSpec> = {
    input: input(false),
    textarea: input(true),
    switch: toggle('wx-switch', 'checkbox'),
    checkbox: toggle('wx-checkbox', 'checkbox'),
    radio: toggle('wx-radio', 'radio'),
    image: {
      create(doc) {
        const img = doc.createElement('img');
        const el = withInner(doc, 'wx-image', img);
        img.addEventListener('load', () =>
          ctx.emit(el, 'load', { width: img.naturalWidth, height: img.naturalHeight }),
        );
        img.addEventListener('error', () => ctx.emit(el, 'error', { errMsg: 'image load failed' }));
        return el;
      },
      setAttr(el, name, value) {
        const img = inner<HTMLImageElement>(el);
        if (name === 'src') {
          el.setAttribute('src', value ?? '');
          const url = value ? imageUrl(ctx, value) : undefined;
          const apply = (u: string | undefined) => {
            if (el.getAttribute('src') !== (value ?? '')) return; // a newer src won
            if (u) img.setAttribute('src', u);
            else img.removeAttribute('src');
          };
          if (url instanceof Promise) url.then(apply, () => apply(undefined));
          else apply(url);
        } else if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
      },
    },
    button: {
      create(doc) {
        const el = doc.createElement('wx-button');
        el.setAttribute('role', 'button');
        el.addEventListener('click', (e) => {
          if (el.hasAttribute('disabled')) {
            e.stopPropagation();
            return;
          }
          const formType = el.getAttribute('form-type');
          const form = el.closest('wx-form');
          if (form && formType === 'submit') ctx.emit(form, 'submit', { value: formValues(form) });
          if (form && formType === 'reset') ctx.emit(form, 'reset', {});
        });
        return el;
      },
      setAttr(el, name, value) {
        if (name === 'disabled' || name === 'loading') {
          if (truthy(value)) el.setAttribute(name, '');
          else el.removeAttribute(name);
        } else if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
      },
    },
    navigator: {
      create(doc) {
        const el = doc.createElement('wx-navigator');
        el.addEventListener('click', () => {
          const url = el.getAttribute('url') ?? '';
          const openType = el.getAttribute('open-type') ?? 'navigate';
          if (url || openType === 'navigateBack') ctx.navigate(url, openType);
        });
        return el;
      },
    },
    slider: {
      create(doc) {
        const c = doc.createElement('input');
        c.type = 'range';
        const el = withInner(doc, 'wx-slider', c);
        c.addEventListener('input', () => ctx.emit(el, 'changing', { value: Number(c.value) }));
        c.addEventListener('change', () => ctx.emit(el, 'change', { value: Number(c.value) }));
        return el;
      },
      setAttr(el, name, value) {
        const c = inner<HTMLInputElement>(el);
        if (name === 'min' || name === 'max' || name === 'step') c.setAttribute(name, value ?? '');
        else if (name === 'value') c.value = value ?? '0';
        else if (name === 'disabled') c.disabled = truthy(value);
        else if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
      },
    },
    progress: {
      create(doc) {
        const bar = doc.createElement('div');
        bar.className = 'wx-progress-bar';
        return withInner(doc, 'wx-progress', bar);
      },
      setAttr(el, name, value) {
        if (name === 'percent') {
          const p = Math.max(0, Math.min(100, Number(value) || 0));
          inner<HTMLElement>(el).style.width = `${p}%`;
          el.setAttribute('aria-valuenow', String(p));
        } else if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
      },
    },
    picker: {
      create(doc) {
        const c = doc.createElement('select');
        const el = withInner(doc, 'wx-picker', c);
        c.addEventListener('change', () => ctx.emit(el, 'change', { value: Number(c.value) }));
        return el;
      },
      setAttr(el, name, value) {
        const c = inner<HTMLSelectElement>(el);
        if (name === 'range') {
          let items: unknown = [];
          try {
            items = JSON.parse(value ?? '[]');
          } catch {
            items = String(value ?? '').split(',');
          }
          const key = el.getAttribute('range-key');
          const list = Array.isArray(items) ? items.slice(0, 1000) : [];
          c.replaceChildren(
            ...list.map((item, i) => {
              const o = c.ownerDocument.createElement('option');
              o.value = String(i);
              o.textContent =
                key && typeof item === 'object' && item !== null
                  ? String((item as Record<string, unknown>)[key] ?? '')
                  : String(item);
              return o;
            }),
          );
        } else if (name === 'value') c.value = value ?? '0';
        else if (name === 'disabled') c.disabled = truthy(value);
        else if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
      },
    },
    'web-view': {
      create(doc) {
        return doc.createElement('wx-web-view');
      },
      setAttr(el, name, value) {
        if (name !== 'src') return;
        const doc = el.ownerDocument;
        if (value && /^https:\/\//i.test(value) && ctx.webViewAllowed(value)) {
          const frame = doc.createElement('iframe');
          frame.setAttribute('sandbox', 'allow-scripts allow-forms');
          frame.setAttribute('referrerpolicy', 'no-referrer');
          frame.setAttribute('src', value);
          el.replaceChildren(frame);
        } else {
          const msg = doc.createElement('wx-view');
          msg.className = 'wx-web-view-blocked';
          msg.textContent = `web-view blocked: ${String(value ?? '').slice(0, 200)} is not in the web-view domain list`;
          el.replaceChildren(msg);
        }
      },
    },
  };
  for (const [tag, chunk] of Object.entries(LAZY)) specs[tag] = lazy(ctx, tag, chunk);
  return (tag) => specs[tag];
}
