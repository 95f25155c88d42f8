// Entry of the tessera-page-apis.js chunk: the wx APIs that ask the page's view or the host's UI.
import * as pageApis from '../../core/page-apis.ts';
import { register } from './register.ts';

register('page-apis', pageApis);
