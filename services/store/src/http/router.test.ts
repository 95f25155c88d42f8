import { describe, expect, it } from 'vitest';
import { Router } from './router.ts';

describe('Router', () => {
  const r = new Router();
  const h = () => undefined;
  r.add('GET', '/v1/tenants/{tenant}/artifacts/{sha256}', 'device', { summary: '' }, h);
  r.add('PUT', '/v1/tenants/{tenant}/artifacts/{sha256}', 'ci', { summary: '' }, h);

  it('matches params, HEAD as GET, and reports allowed methods', () => {
    const m = r.match('GET', '/v1/tenants/acme/artifacts/abc');
    expect('route' in m && m.params).toEqual({ tenant: 'acme', sha256: 'abc' });
    expect('route' in r.match('HEAD', '/v1/tenants/acme/artifacts/abc')).toBe(true);
    expect(r.match('DELETE', '/v1/tenants/acme/artifacts/abc')).toEqual({ allowed: ['GET', 'PUT'] });
    expect(r.match('GET', '/v1/tenants/acme/artifacts')).toEqual({ allowed: [] });
  });

  it('refuses empty, oversized and badly encoded segments', () => {
    expect('route' in r.match('GET', '/v1/tenants//artifacts/x')).toBe(false);
    expect('route' in r.match('GET', `/v1/tenants/${'a'.repeat(300)}/artifacts/x`)).toBe(false);
    expect('route' in r.match('GET', '/v1/tenants/%E0%A4%A/artifacts/x')).toBe(false);
    const m = r.match('GET', '/v1/tenants/a%2Fb/artifacts/x');
    // an encoded slash decodes into the param; handlers validate params before use
    expect('route' in m && m.params.tenant).toBe('a/b');
  });
});
