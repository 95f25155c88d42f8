// Entry of the tessera-ui.js chunk: hands the module to the loader that put this script on the page.
import * as ui from '../ui/index.ts';
import { register } from './register.ts';

register('ui', ui);
