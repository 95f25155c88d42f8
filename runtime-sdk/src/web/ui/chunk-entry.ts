// The chunk build's entry: hands the module to the loader that put this script on the page.
import * as ui from './index.ts';

const register = (globalThis as Record<symbol, unknown>)[Symbol.for('tessera.ui')];
if (typeof register === 'function') register(ui);
