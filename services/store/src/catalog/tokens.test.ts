import { describe, expect, it } from 'vitest';
import { searchTokens, toTsqueryText, toTsvectorText } from './tokens.ts';

describe('search tokens', () => {
  it('splits Chinese into bigrams and Latin into lower-case words', () => {
    expect(searchTokens('招商银行 Mobile Bank')).toEqual(['招商', '商银', '银行', 'mobile', 'bank']);
    expect(searchTokens('单')).toEqual(['单']);
    expect(searchTokens('ｆｕｌｌ－width')).toEqual(['full', 'width']);
  });
  it('builds safe query text from hostile input', () => {
    expect(toTsqueryText("it's & | ! ( ) :*")).toBe("'it' & 's':*");
    expect(toTsqueryText('   ')).toBeNull();
    expect(toTsqueryText('小程序')).toBe("'小程' & '程序'");
    expect(toTsvectorText(['a', 'a', "o'k"])).toBe("'a' 'o''k'");
  });
});
