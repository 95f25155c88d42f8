// Which wx APIs need a privacy scope: checked on every API call, so kept apart from the consent
// flows (consent.ts), which load the first time a mini-program needs one.

/** The wx APIs that run only with a scope granted, by platform scope. */
export const API_SCOPES: Readonly<Record<string, string>> = {
  getLocation: 'userLocation',
  getFuzzyLocation: 'userLocation',
  chooseLocation: 'userLocation',
  startLocationUpdate: 'userLocation',
  getUserInfo: 'userInfo',
  getUserProfile: 'userInfo',
  saveImageToPhotosAlbum: 'album',
  saveVideoToPhotosAlbum: 'album',
  startRecord: 'record',
  openBluetoothAdapter: 'bluetooth',
  addPhoneContact: 'contacts',
  getWeRunData: 'werun',
  getClipboardData: 'clipboard',
  setClipboardData: 'clipboard',
};
