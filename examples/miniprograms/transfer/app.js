const version = require('./version.js');

App({
  globalData: { version: version, transfers: [] },
  onLaunch(options) {
    this.globalData.launchedAt = Date.now();
    this.globalData.scene = options?.scene;
  },
  recordTransfer(transfer) {
    this.globalData.transfers.unshift(transfer);
  },
});
