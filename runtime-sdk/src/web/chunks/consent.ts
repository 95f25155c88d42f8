// Entry of the tessera-consent.js chunk: the privacy scope flows (wx.authorize, getSetting, openSetting).
import * as consent from '../../core/consent.ts';
import { register } from './register.ts';

register('consent', consent);
