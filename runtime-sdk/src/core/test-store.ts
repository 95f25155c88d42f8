// Test helper: a loopback store speaking the launch protocol for a main package and its
// subpackages, all real (writePackage, device key re-wrap, digest-checked downloads). Counts
// requests per kind and can go offline, so tests see what crossed the wire.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKek, generateSigningKeyPair } from '../package/keys.ts';
import { MANIFEST_FILE } from '../package/manifest.ts';
import { rewrapDataKeyForDevice, unwrapDataKey } from '../package/wrap.ts';
import { writePackage } from '../package/write.ts';
import type { UpdatePolicy } from '../protocol/launch.ts';
import { holdsAll, type LaunchRequestParsed, LaunchRequestSchema } from '../protocol/launch-request.ts';
import { StoreClient } from './store-client.ts';

export interface TestPackage {
  /** Subpackage root; absent for the main package. */
  root?: string;
  files: Record<string, string>;
}

export interface TestStore {
  url: string;
  publicKey: string;
  /** Requests so far: launch, main (artifact), and one entry per subpackage root. */
  hits: Map<string, number>;
  /** The last launch request, as the store parsed it. */
  lastLaunch?: LaunchRequestParsed;
  state: { version: string; offline: boolean; updatePolicy?: UpdatePolicy };
  client(): StoreClient;
  close(): Promise<void>;
}

const enc = new TextEncoder();

export async function startTestStore(
  manifest: Record<string, unknown>,
  packages: { main: TestPackage; [artifact: string]: TestPackage },
): Promise<TestStore> {
  const kek = await generateKek();
  const signing = await generateSigningKeyPair();
  const written = new Map<
    string,
    { root?: string; bytes: Uint8Array; digest: string; dataKey: Uint8Array }
  >();
  for (const [name, p] of Object.entries(packages)) {
    const files = Object.fromEntries(Object.entries(p.files).map(([k, v]) => [k, enc.encode(v)]));
    if (name === 'main') files[MANIFEST_FILE] = enc.encode(JSON.stringify(manifest));
    const w = await writePackage(files, {
      kek: kek.rawBase64,
      kekId: kek.keyId,
      signingKey: signing.privateKeyPkcs8,
      signingKeyId: signing.keyId,
    });
    written.set(name, {
      ...(p.root ? { root: p.root } : {}),
      bytes: w.bytes,
      digest: w.digests.ciphertext,
      dataKey: await unwrapDataKey(w.wrappedDataKey, kek.rawBase64),
    });
  }
  const hits = new Map<string, number>();
  const hit = (k: string) => hits.set(k, (hits.get(k) ?? 0) + 1);
  const state: TestStore['state'] = { version: '1.0.0', offline: false };
  const store = {} as TestStore;

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url === '/v1/launch') {
      hit('launch');
      const r = LaunchRequestSchema.parse(JSON.parse(Buffer.concat(chunks).toString()));
      store.lastLaunch = r;
      const main = written.get('main')!;
      const cached = holdsAll(
        r,
        [...written.values()].map((w) => w.digest),
      );
      const subpackages = await Promise.all(
        [...written].flatMap(([name, w]) =>
          w.root
            ? [
                (async () => ({
                  name,
                  root: w.root!,
                  url: `/v1/tenants/t/artifacts/${w.digest}`,
                  digest: w.digest,
                  size: w.bytes.length,
                  ...(cached
                    ? {}
                    : {
                        wrappedKey: await rewrapDataKeyForDevice(
                          w.dataKey,
                          r.devicePublicKey as string,
                          r.deviceKeyCurve,
                        ),
                      }),
                }))(),
              ]
            : [],
        ),
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          tenant: 't',
          appId: r.appId,
          miniProgram: 'mp',
          version: state.version,
          reason: 'stable',
          artifact: {
            url: `/v1/tenants/t/artifacts/${main.digest}`,
            digest: main.digest,
            size: main.bytes.length,
          },
          signingKeyId: signing.keyId,
          ...(cached
            ? { cached: true }
            : {
                wrappedKey: await rewrapDataKeyForDevice(
                  main.dataKey,
                  r.devicePublicKey as string,
                  r.deviceKeyCurve,
                ),
              }),
          domains: { request: [], upload: [], download: [], socket: [], webView: [] },
          permissions: [],
          purge: [],
          releaseDigest: 'd',
          subpackages,
          ...(state.updatePolicy ? { updatePolicy: state.updatePolicy } : {}),
        }),
      );
      return;
    }
    const found = [...written].find(([, w]) => req.url?.endsWith(`/${w.digest}`));
    if (!found) {
      res.writeHead(404);
      res.end();
      return;
    }
    hit(found[1].root ?? 'main');
    res.writeHead(200);
    res.end(found[1].bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(store, {
    url,
    publicKey: signing.publicKeySpki,
    hits,
    state,
    client: () =>
      new StoreClient({
        storeUrl: url,
        credentials: { sessionToken: async () => 'tst1.test.token' },
        fetch: (input, init) =>
          state.offline ? Promise.reject(new TypeError('network is down')) : fetch(input, init),
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
  return store;
}
