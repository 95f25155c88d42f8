// The host chrome that only some launches need, shipped as a chunk of its own (tessera-ui.js)
// and loaded on first use: the tab bar, action sheets, modal dialogs, the image preview and the file picker.
export { consent, modal, settings } from './dialogs.ts';
export { pickFiles } from './pick-files.ts';
export { previewImage } from './preview.ts';
export { createSheets } from './sheet.ts';
export { createTabBar } from './tab-bar.ts';
