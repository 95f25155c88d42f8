// Entry of the tessera-view-intersection.js chunk: runs in a page frame and hands its module to the loader.
import * as intersection from '../../view/intersection.ts';
import { register } from './register.ts';

register('view-intersection', intersection);
