// Entry of the tessera-view-rich-text.js chunk: runs in a page frame and hands its specs to the loader.
import * as richText from '../../view/rich-text.ts';
import { register } from './register.ts';

register('view-rich-text', richText);
