Page({
  data: { cents: 0 },
  onLoad(query) {
    this.setData({ cents: Number(query.cents) || 0 });
  },
  onDone() {
    wx.reLaunch({ url: '/pages/index/index' });
  },
});
