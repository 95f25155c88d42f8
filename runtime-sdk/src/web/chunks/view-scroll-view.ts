// Entry of the tessera-view-scroll-view.js chunk: runs in a page frame and hands its specs to the loader.
import * as scrollView from '../../view/scroll-view.ts';
import { register } from './register.ts';

register('view-scroll-view', scrollView);
