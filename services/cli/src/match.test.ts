import { describe, expect, it } from 'vitest';
import { parseMatch } from './match.ts';

describe('parseMatch', () => {
  it('splits values for In and NotIn only', () => {
    expect(parseMatch('region=In:cn,hk')).toEqual({
      attribute: 'region',
      operator: 'In',
      values: ['cn', 'hk'],
      caseInsensitive: false,
      inverted: false,
    });
    expect(parseMatch('userId=StartsWith:a,b').values).toEqual(['a,b']);
  });

  it('supports inversion, case-insensitivity and Exists without values', () => {
    expect(parseMatch('platform=!Eq/i:IOS')).toMatchObject({
      operator: 'Eq',
      inverted: true,
      caseInsensitive: true,
      values: ['IOS'],
    });
    expect(parseMatch('beta=Exists')).toMatchObject({ operator: 'Exists', values: [] });
  });

  it('rejects malformed conditions with the expected shape in the message', () => {
    expect(() => parseMatch('region')).toThrow('attribute=Operator:values');
    expect(() => parseMatch('region=Like:cn')).toThrow('unknown operator Like');
    expect(() => parseMatch('region=Eq')).toThrow('Eq needs a value');
    expect(() => parseMatch('region=Eq:a,b')).not.toThrow();
    expect(() => parseMatch('9bad=Eq:x')).toThrow('attribute name');
  });
});
