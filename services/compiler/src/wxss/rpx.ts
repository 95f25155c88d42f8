// rpx → vw: 750rpx is the full viewport width, so 1rpx = 100vw / 750 = (1 / 7.5)vw.
// Values are rounded to 4 decimals; 0rpx becomes 0. The same function is emitted (as source
// text, see wxml/prelude.ts) into compiled templates to convert dynamic inline styles.

export const RPX_PATTERN_SOURCE = '(-?(?:\\d+\\.?\\d*|\\.\\d+))rpx\\b';

export function rpxToVw(value: number): string {
  if (value === 0) return '0';
  const vw = Math.round((value / 7.5) * 10000) / 10000;
  return `${vw}vw`;
}

/** Converts every `<number>rpx` in a CSS fragment that contains no strings or url(). */
export function convertRpx(css: string): string {
  return css.replace(new RegExp(RPX_PATTERN_SOURCE, 'g'), (_m, n: string) => rpxToVw(Number(n)));
}
