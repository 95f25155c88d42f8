Page({
  data: { payee: '', cents: 0, note: '', sending: false },

  onLoad(query) {
    this.setData({ payee: query.payee || '', cents: Number(query.cents) || 0, note: query.note || '' });
  },

  onConfirm() {
    this.setData({ sending: true });
    getApp().recordTransfer({
      id: `t${Date.now()}`,
      payee: this.data.payee,
      cents: this.data.cents,
      at: new Date().toISOString(),
    });
    wx.redirectTo({ url: `/pages/result/result?cents=${this.data.cents}` });
  },

  onBack() {
    wx.navigateBack();
  },
});
