// One webhook POST to a checked, pinned address (see address-policy.ts). node:http(s) with a
// fixed `lookup`: the socket goes to the address that passed the check while the Host header,
// TLS SNI and certificate check use the hostname. Redirects are never followed: a 3xx is an
// unsuccessful delivery like any other non-2xx answer.

import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookAddressPolicy } from './address-policy.ts';

export interface DeliveryOutcome {
  status: number;
  /** set when no 2xx answer was received */
  error?: string;
}

export async function postWebhook(
  policy: WebhookAddressPolicy,
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number /** extra trusted CA (PEM; tests) */; ca?: string },
): Promise<DeliveryOutcome> {
  const target = await policy.check(rawUrl);
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all)
      (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    else cb(null, target.address, target.family);
  };
  const mod = target.url.protocol === 'https:' ? https : http;
  return new Promise<DeliveryOutcome>((resolve) => {
    const req = mod.request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(target.url.protocol === 'https:'
          ? {
              ...(isIP(target.hostname) ? {} : { servername: target.hostname }),
              ...(options.ca ? { ca: options.ca } : {}),
            }
          : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        if (status >= 300 && status < 400)
          resolve({
            status,
            error: `HTTP ${status} redirect to ${res.headers.location ?? '(no location)'} not followed; register the final URL`,
          });
        else resolve(status >= 200 && status < 300 ? { status } : { status, error: `HTTP ${status}` });
      },
    );
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    req.end(body);
  });
}
