// The host chrome that only some launches need, shipped as a chunk of its own (tessera-ui.js)
// and loaded on first use: the tab bar, action sheets and modal dialogs.
export { consent, modal, settings } from './dialogs.ts';
export { createSheets } from './sheet.ts';
export { createTabBar } from './tab-bar.ts';
