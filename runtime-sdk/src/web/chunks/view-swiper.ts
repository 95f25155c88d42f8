// Entry of the tessera-view-swiper.js chunk: runs in a page frame and hands its specs to the loader.
import * as swiper from '../../view/swiper.ts';
import { register } from './register.ts';

register('view-swiper', swiper);
