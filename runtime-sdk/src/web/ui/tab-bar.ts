// The tab bar of app.json, drawn by the host around the page frames (as WeChat's client draws
// it): a tab per list entry with its text and icons from the package, the current tab in
// selectedColor, badges and red dots, shown only while a tab page is on top. The wx tab bar APIs
// change it through apply(); a tap asks the logic realm to switch (and call onTabItemTap).
import type { TabBarOp } from '../../core/session.ts';
import type { TabBarConfig } from '../../package/manifest.ts';
import { safeColor } from '../css.ts';

export interface TabBar {
  el: HTMLElement;
  /** The page on top changed: highlight its tab, hide the bar on other pages. */
  select(route: string): void;
  apply(op: TabBarOp): void;
  remove(): void;
}

interface Tab {
  pagePath: string;
  text: string;
  iconPath?: string;
  selectedIconPath?: string;
  button: HTMLButtonElement;
  icon: HTMLImageElement;
  label: HTMLElement;
  badge: HTMLElement;
}

export function createTabBar(
  doc: Document,
  config: TabBarConfig,
  /** An object URL for a package image (undefined when the package has none at that path). */
  image: (path: string) => Promise<string | undefined>,
  onTap: (tab: { index: number; pagePath: string; text: string }) => void,
): TabBar {
  const style = {
    color: safeColor(config.color) ?? '#7a7e83',
    selectedColor: safeColor(config.selectedColor) ?? '#07c160',
    backgroundColor: safeColor(config.backgroundColor) ?? '#ffffff',
    borderStyle: config.borderStyle ?? 'black',
  };
  const top = config.position === 'top';
  const el = doc.createElement('div');
  el.className = 'tessera-tabbar';
  el.setAttribute('role', 'tablist');
  let visible = true;
  let current = -1;
  /** package path → its object URL, made once */
  const urls = new Map<string, Promise<string | undefined>>();
  const tabs: Tab[] = config.list.map((item, index) => {
    const button = doc.createElement('button');
    button.className = 'tessera-tab';
    button.setAttribute('role', 'tab');
    button.dataset.pagePath = item.pagePath;
    button.style.cssText =
      'flex:1;position:relative;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:2px;background:none;border:0;font:12px system-ui;cursor:pointer;padding:4px 0';
    const icon = doc.createElement('img');
    icon.alt = '';
    icon.style.cssText = 'width:24px;height:24px;object-fit:contain';
    const label = doc.createElement('span');
    label.className = 'tessera-tab-text';
    const badge = doc.createElement('span');
    badge.className = 'tessera-tab-badge';
    badge.style.cssText =
      'position:absolute;top:2px;left:calc(50% + 6px);min-width:8px;height:16px;padding:0 4px;border-radius:8px;background:#fa5151;color:#fff;font:11px/16px system-ui;display:none';
    // top tab bars have no icons (WeChat)
    if (!top) button.append(icon);
    button.append(label, badge);
    button.onclick = () => onTap({ index, pagePath: item.pagePath, text: tabs[index]?.text ?? item.text });
    el.append(button);
    return {
      pagePath: item.pagePath,
      text: item.text,
      ...(item.iconPath ? { iconPath: item.iconPath } : {}),
      ...(item.selectedIconPath ? { selectedIconPath: item.selectedIconPath } : {}),
      button,
      icon,
      label,
      badge,
    };
  });

  const iconFor = async (tab: Tab, selected: boolean) => {
    const path = (selected ? tab.selectedIconPath : undefined) ?? tab.iconPath;
    if (!path || top) return;
    const key = path.replace(/^\/+/, '');
    let pending = urls.get(key);
    if (!pending) {
      pending = image(key);
      urls.set(key, pending);
    }
    const url = await pending;
    tab.icon.style.visibility = url ? 'visible' : 'hidden';
    if (url && tab.icon.src !== url) tab.icon.src = url;
  };
  const paint = () => {
    el.style.cssText = `display:${visible && current >= 0 ? 'flex' : 'none'};flex:none;height:${top ? 40 : 52}px;background:${style.backgroundColor};border-${top ? 'bottom' : 'top'}:1px solid ${style.borderStyle === 'white' ? '#fff' : 'rgba(0,0,0,.12)'}`;
    tabs.forEach((tab, i) => {
      const selected = i === current;
      tab.label.textContent = tab.text;
      tab.button.style.color = selected ? style.selectedColor : style.color;
      tab.button.setAttribute('aria-selected', String(selected));
      void iconFor(tab, selected);
    });
  };
  const tabAt = (index: number): Tab => {
    const tab = tabs[index];
    if (!tab) throw new Error(`tabBar has no item ${index} (it has ${tabs.length})`);
    return tab;
  };
  paint();

  return {
    el,
    select(route) {
      current = tabs.findIndex((t) => t.pagePath === route);
      paint();
    },
    apply(op) {
      switch (op.op) {
        case 'badge': {
          const b = tabAt(op.index).badge;
          b.textContent = op.text ?? '';
          b.style.display = op.text ? 'block' : 'none';
          Object.assign(b.style, { minWidth: '8px', width: '', height: '16px', padding: '0 4px' });
          break;
        }
        case 'redDot': {
          const b = tabAt(op.index).badge;
          b.textContent = '';
          b.style.display = op.on ? 'block' : 'none';
          Object.assign(b.style, { minWidth: '0', width: '8px', height: '8px', padding: '0' });
          break;
        }
        case 'visible':
          visible = op.on;
          break;
        case 'style':
          for (const k of ['color', 'selectedColor', 'backgroundColor'] as const) {
            const c = safeColor(op[k]);
            if (c) style[k] = c;
          }
          if (op.borderStyle) style.borderStyle = op.borderStyle;
          break;
        case 'item': {
          const tab = tabAt(op.index);
          if (op.text !== undefined) tab.text = op.text;
          if (op.iconPath !== undefined) tab.iconPath = op.iconPath;
          if (op.selectedIconPath !== undefined) tab.selectedIconPath = op.selectedIconPath;
          break;
        }
      }
      paint();
    },
    remove() {
      el.remove();
      for (const pending of urls.values())
        void pending.then((url) => {
          if (url) URL.revokeObjectURL(url);
        });
    },
  };
}
