// wx.chooseImage / chooseMedia on the web: the browser's own file picker.
import type { PickedFile } from '../../core/temp-files.ts';

/**
 * The browser's file picker (a user's tap in the page frame activates the host document too,
 * so the picker may open); resolves to nothing when the user cancels.
 */
export function pickFiles(
  doc: Document,
  o: { accept: Array<'image' | 'video'>; multiple: boolean; camera: boolean },
): Promise<PickedFile[]> {
  return new Promise((resolve, reject) => {
    const input = doc.createElement('input');
    input.type = 'file';
    input.accept = o.accept.map((k) => `${k}/*`).join(',');
    input.multiple = o.multiple;
    if (o.camera) input.setAttribute('capture', 'environment');
    input.style.display = 'none';
    const done = (files: File[]) => {
      input.remove();
      Promise.all(
        files.map(async (f) => ({
          bytes: new Uint8Array(await f.arrayBuffer()),
          type: f.type,
          name: f.name,
        })),
      ).then(resolve, reject);
    };
    input.addEventListener('change', () => done(Array.from(input.files ?? [])));
    input.addEventListener('cancel', () => done([]));
    doc.body.append(input);
    input.click();
  });
}
