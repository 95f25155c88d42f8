Page({
  data: { transfers: [] },
  onShow() {
    this.setData({ transfers: getApp().globalData.transfers.slice() });
  },
});
