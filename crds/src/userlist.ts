/**
 * Imported gray-rule user lists (GrayRule spec.users.configMapRef), shared by the operator
 * (which validates and publishes them) and the store (which loads them).
 *
 * Format choice. A 100,000-id list is about 1 MB: it cannot sit inline in the small
 * per-mini-program release ConfigMap without pushing it to the 1 MiB object limit
 * and making every unrelated release change rewrite and re-sign a megabyte. So the operator
 * publishes each list once as its own ConfigMap, content-addressed (the name carries the digest,
 * the content never changes under a name), and the release document references it as
 * `users.list = {configMap, key, digest, count}`. The release document is signed, so the
 * SHA-256 digest in it pins the list: a reader verifies the digest of the bytes it loaded and
 * needs no second signature. The published text is the normalised list — unique ids, sorted by
 * UTF-16 code units, one per line, no trailing newline — so equal lists give equal digests, and
 * a reader may build a Set (O(1) membership) or binary-search the sorted lines; it never needs a
 * linear scan. The source ConfigMap is itself limited to 1 MiB and normalising never grows it,
 * so one published ConfigMap always suffices.
 */

/** Data key of the published list. */
export const USER_LIST_DATA_KEY = 'users.txt';
/** Label on published lists: the GrayRule they belong to. */
export const LABEL_USER_LIST = 'tessera.dev/user-list';
export const USER_LIST_DIGEST_ANNOTATION = 'tessera.dev/digest';
export const USER_LIST_COUNT_ANNOTATION = 'tessera.dev/count';
/** Longest accepted id, as for the inline spec.users.ids. */
export const MAX_USER_ID_LENGTH = 128;
export const MAX_USER_LIST_IDS = 200_000;

export type UserListParse =
  | { ok: true; ids: string[]; text: string }
  | { ok: false; reason: 'UserListInvalid' | 'UserListTooLarge'; message: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: ids are printable, without whitespace
const INVALID_ID = /[\s\u0000-\u001f\u007f]/;

/**
 * Parses a source list (one id per line; blank lines and surrounding spaces ignored; `#` starts
 * a comment line) into the normalised published form, or says exactly what is wrong.
 */
export function parseUserList(source: string): UserListParse {
  const unique = new Set<string>();
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const id = (lines[i] as string).trim();
    if (id === '' || id.startsWith('#')) continue;
    if (id.length > MAX_USER_ID_LENGTH)
      return invalid(`line ${i + 1}: user id is longer than ${MAX_USER_ID_LENGTH} characters`);
    if (INVALID_ID.test(id))
      return invalid(`line ${i + 1}: user id contains whitespace or a control character (one id per line)`);
    unique.add(id);
    if (unique.size > MAX_USER_LIST_IDS)
      return {
        ok: false,
        reason: 'UserListTooLarge',
        message: `more than ${MAX_USER_LIST_IDS} user ids; split the audience into several GrayRules`,
      };
  }
  const ids = [...unique].sort();
  return { ok: true, ids, text: ids.join('\n') };
}

function invalid(message: string): UserListParse {
  return { ok: false, reason: 'UserListInvalid', message };
}

/** `sha256:<hex>` of the UTF-8 bytes of a published list (WebCrypto: Node and browsers). */
export async function userListDigest(text: string): Promise<string> {
  const hash = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
  return `sha256:${hex}`;
}

/**
 * The store's reader: the ids of a published list, after checking its bytes against the digest
 * from the signed release document. Throws when the data is missing or does not match (the list
 * was replaced or tampered with; the release must not be served with it).
 */
export async function readPublishedUserList(text: string | undefined, digest: string): Promise<string[]> {
  if (text === undefined) throw new Error(`the user list ConfigMap has no ${USER_LIST_DATA_KEY} key`);
  const actual = await userListDigest(text);
  if (actual !== digest) throw new Error(`user list digest ${actual} does not match the release (${digest})`);
  return text === '' ? [] : text.split('\n');
}
