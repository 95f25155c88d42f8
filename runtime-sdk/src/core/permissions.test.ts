import { describe, expect, it } from 'vitest';
import { assertDomain, domainAllowed, hostApiAllowed, menuItemsFor, PermissionError } from './permissions.ts';

describe('domain whitelist', () => {
  const list = ['https://api.example.com', 'cdn.example.com', '*.img.example.com', 'http://127.0.0.1:8080'];
  it.each([
    ['https://api.example.com/v1/x?y=1', true],
    ['https://API.EXAMPLE.COM/v1', true],
    ['https://cdn.example.com/a.png', true],
    ['https://a.img.example.com/x', true],
    ['https://img.example.com/x', false],
    ['https://api.example.com.evil.com/', false],
    ['https://evil.com/?https://api.example.com', false],
    ['https://user:pw@api.example.com/', false],
    ['http://api.example.com/', false],
    ['https://api.example.com:8443/', false],
    ['http://127.0.0.1:8080/x', true],
    ['http://127.0.0.1:8081/x', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, ok) => {
    expect(domainAllowed(url, list)).toBe(ok);
  });

  it('explains a refusal without leaking the full URL', () => {
    expect(() => assertDomain('request', 'https://evil.com/steal?token=secret', list)).toThrow(
      PermissionError,
    );
    try {
      assertDomain('request', 'https://evil.com/steal?token=secret', list);
    } catch (e) {
      expect((e as Error).message).toBe(
        'request: https://evil.com is not in the request domain list of this mini-program; add it to MiniProgram.spec domains',
      );
      expect((e as PermissionError).code).toBe('DOMAIN_NOT_ALLOWED');
    }
  });
});

describe('host APIs and menu items', () => {
  const def = { allow: ['wx-a'], handler: () => 1 };
  it('allows only listed or granted mini-programs', () => {
    expect(hostApiAllowed('pay', def, 'wx-a', [])).toBe(true);
    expect(hostApiAllowed('pay', def, 'wx-b', [])).toBe(false);
    expect(hostApiAllowed('pay', def, 'wx-b', ['hostApi:pay'])).toBe(true);
    expect(hostApiAllowed('pay', undefined, 'wx-a', ['hostApi:pay'])).toBe(false);
    expect(hostApiAllowed('pay', { allow: ['*'], handler: () => 1 }, 'any', [])).toBe(true);
    const items = [
      { id: 'share', text: 'Share', allow: ['*'] },
      { id: 'report', text: 'Report', allow: ['wx-a'] },
      { id: 'pay', text: 'Pay', allow: [] },
    ];
    expect(menuItemsFor(items, 'wx-b', ['menu:pay']).map((i) => i.id)).toEqual(['share', 'pay']);
  });
});
