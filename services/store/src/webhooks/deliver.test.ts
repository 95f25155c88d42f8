// Deliveries against real loopback servers: the connection goes to the address that was checked
// (a rebinding name cannot switch it), Host and TLS SNI stay the hostname, redirects are not
// followed, and a delivery re-checks the policy.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowCidrs, type Resolver, WebhookAddressPolicy } from './address-policy.ts';
import { postWebhook } from './deliver.ts';

interface Seen {
  host: string | undefined;
  path: string | undefined;
  body: string;
  sni?: string | false | null;
}

function receiver(
  host: string,
  port: number,
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  tls?: { key: string; cert: string },
) {
  const seen: Seen[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      seen.push({
        host: req.headers.host,
        path: req.url,
        body,
        ...(tls ? { sni: (req.socket as TLSSocket).servername } : {}),
      });
      answer(req, res);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const listening = new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  return { seen, server, listening };
}

const ok = (_: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(204);
  res.end();
};

// 127.0.0.2 stands for the webhook's real (allowed) host; 127.0.0.1 for an internal service on
// the same port that an attacker would like to reach.
const allow = parseAllowCidrs('127.0.0.2/32');
let port = 0;
const legit = receiver('127.0.0.2', 0, ok);
let internal: ReturnType<typeof receiver>;
let dir = '';
let tlsFiles: { key: string; cert: string };

beforeAll(async () => {
  port = await legit.listening;
  internal = receiver('127.0.0.1', port, ok);
  await internal.listening;
  dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=hooks.test',
      '-addext',
      'subjectAltName=DNS:hooks.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  tlsFiles = {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
});

afterAll(() => {
  legit.server.close();
  internal?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('webhook delivery', () => {
  it('connects to the checked address even when the name rebinds to loopback afterwards', async () => {
    const answers = [['127.0.0.2'], ['127.0.0.1']];
    let lookups = 0;
    const rebinding: Resolver = async () => answers[Math.min(lookups++, 1)] as string[];
    const policy = new WebhookAddressPolicy({ allowCidrs: allow, resolver: rebinding });
    const before = internal.seen.length;
    const r = await postWebhook(
      policy,
      `http://rebind.test:${port}/hook`,
      '{"n":1}',
      {},
      { timeoutMs: 5000 },
    );
    expect(r).toEqual({ status: 204 });
    expect(lookups).toBe(1);
    expect(legit.seen.at(-1)).toMatchObject({ host: `rebind.test:${port}`, path: '/hook', body: '{"n":1}' });
    expect(internal.seen.length).toBe(before);
    // the next delivery resolves again, sees 127.0.0.1 and refuses to connect at all
    await expect(
      postWebhook(policy, `http://rebind.test:${port}/hook`, '{}', {}, { timeoutMs: 5000 }),
    ).rejects.toThrow(`resolves to 127.0.0.1, a loopback address`);
    expect(internal.seen.length).toBe(before);
  });

  it('keeps TLS SNI and Host as the hostname while connecting to the pinned address', async () => {
    const tlsServer = receiver('127.0.0.2', 0, ok, tlsFiles);
    const tlsPort = await tlsServer.listening;
    try {
      const policy = new WebhookAddressPolicy({ allowCidrs: allow, resolver: async () => ['127.0.0.2'] });
      const r = await postWebhook(
        policy,
        `https://hooks.test:${tlsPort}/secure`,
        '{}',
        {},
        { timeoutMs: 5000, ca: tlsFiles.cert },
      );
      expect(r).toEqual({ status: 204 });
      expect(tlsServer.seen[0]).toMatchObject({ host: `hooks.test:${tlsPort}`, sni: 'hooks.test' });
    } finally {
      tlsServer.server.close();
    }
  });

  it('does not follow redirects, not even to allowed addresses', async () => {
    const redirector = receiver('127.0.0.2', 0, (_, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${port}/metadata` });
      res.end();
    });
    const rPort = await redirector.listening;
    try {
      const policy = new WebhookAddressPolicy({ allowCidrs: parseAllowCidrs('127.0.0.0/8') });
      const before = internal.seen.length;
      const r = await postWebhook(policy, `http://127.0.0.2:${rPort}/`, '{}', {}, { timeoutMs: 5000 });
      expect(r.status).toBe(307);
      expect(r.error).toContain(`redirect to http://127.0.0.1:${port}/metadata not followed`);
      expect(redirector.seen).toHaveLength(1);
      expect(internal.seen.length).toBe(before);
    } finally {
      redirector.server.close();
    }
  });

  it('refuses at delivery what the policy refuses (e.g. a URL registered before the policy changed)', async () => {
    const before = internal.seen.length;
    const strict = new WebhookAddressPolicy();
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
    ])
      await expect(postWebhook(strict, url, '{}', {}, { timeoutMs: 5000 })).rejects.toThrow(
        'deliveries may only go to public addresses',
      );
    expect(internal.seen.length).toBe(before);
  });
});
