// Entry of the tessera-view-pull.js chunk: runs in a page frame and hands its module to the loader.
import * as pull from '../../view/pull-refresh.ts';
import { register } from './register.ts';

register('view-pull', pull);
