// What a mini-program's json or wx API arguments may put into the host's inline styles.

/** Colours: hex, rgb()/rgba() or a keyword; nothing else reaches CSS. */
const CSS_COLOR = /^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\)|[a-zA-Z]{3,20})$/;
export const safeColor = (c: string | undefined) => (c && CSS_COLOR.test(c.trim()) ? c.trim() : undefined);
