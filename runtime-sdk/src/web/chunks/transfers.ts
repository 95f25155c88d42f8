// Entry of the tessera-transfers.js chunk.
import * as transfers from '../../core/transfers.ts';
import { register } from './register.ts';

register('transfers', transfers);
