// Files a mini-program got during this run (wx.downloadFile; later chooseImage and the file
// system): kept in host memory only, addressed as `wxfile://tmp/<random>.<ext>` like WeChat's
// temporary paths, and gone when the mini-program closes.

export const TEMP_PREFIX = 'wxfile://tmp/';
const MAX_TOTAL_BYTES = 200 * 1024 * 1024;

export interface TempFile {
  bytes: Uint8Array;
  type: string;
}

/** A file the user picked (wx.chooseImage / chooseMedia). */
export interface PickedFile {
  bytes: Uint8Array;
  type: string;
  name: string;
}

/** The host's file picker: the files the user picked, none when they cancel. */
export type ChooseFiles = (o: {
  accept: Array<'image' | 'video'>;
  multiple: boolean;
  camera: boolean;
}) => Promise<PickedFile[]>;

export class TempFiles {
  readonly #files = new Map<string, TempFile>();
  #total = 0;

  /** Keeps `bytes` and returns its path; the oldest files make room when over the limit. */
  add(bytes: Uint8Array, type: string, nameHint = ''): string {
    if (bytes.length > MAX_TOTAL_BYTES) throw new Error('the file is larger than 200 MiB');
    while (this.#total + bytes.length > MAX_TOTAL_BYTES) {
      const [oldest] = this.#files.keys();
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    const ext = extensionOf(nameHint, type);
    const id = [...crypto.getRandomValues(new Uint8Array(12))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    const path = `${TEMP_PREFIX}${id}${ext}`;
    this.#files.set(path, { bytes, type });
    this.#total += bytes.length;
    return path;
  }

  get(path: string): TempFile | undefined {
    return this.#files.get(path);
  }

  remove(path: string): void {
    const f = this.#files.get(path);
    if (!f) return;
    this.#total -= f.bytes.length;
    this.#files.delete(path);
  }

  clear(): void {
    this.#files.clear();
    this.#total = 0;
  }
}

const EXT_OF_TYPE: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/svg+xml': '.svg',
  'application/json': '.json',
  'text/plain': '.txt',
  'application/pdf': '.pdf',
};

/** The extension of the URL's file name when it has a short plain one, else one from the type. */
function extensionOf(nameHint: string, type: string): string {
  const m = /\.([a-z0-9]{1,8})$/i.exec(nameHint.replace(/[?#].*$/, ''));
  if (m) return `.${m[1]!.toLowerCase()}`;
  return EXT_OF_TYPE[type.split(';')[0]!.trim().toLowerCase()] ?? '';
}
