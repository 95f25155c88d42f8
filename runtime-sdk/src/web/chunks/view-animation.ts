// Entry of the tessera-view-animation.js chunk: runs in a page frame and hands its module to the loader.
import * as animation from '../../view/animation.ts';
import { register } from './register.ts';

register('view-animation', animation);
