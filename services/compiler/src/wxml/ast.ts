import type { SourcePosition } from '../errors.ts';

export interface WxmlAttr {
  name: string;
  /** null when written without a value (`<checkbox checked />`). */
  value: string | null;
  pos: SourcePosition;
  /** Position of the first character inside the quotes. */
  valuePos: SourcePosition;
}

export interface WxmlElement {
  type: 'element';
  tag: string;
  attrs: WxmlAttr[];
  children: WxmlNode[];
  pos: SourcePosition;
  /** File the node was parsed from (differs from the compiled file for <include>d nodes). */
  file: string;
}

export interface WxmlText {
  type: 'text';
  value: string;
  pos: SourcePosition;
  file: string;
}

export type WxmlNode = WxmlElement | WxmlText;
