const { parseAmount } = require('../../utils/validate.js');

const app = getApp();

Page({
  data: {
    version: app.globalData.version,
    payees: [
      { id: 'p1', name: '王芳 Wang Fang', account: '6222020200112233' },
      { id: 'p2', name: 'Li Lei', account: '6222020200998877' },
      { id: 'p3', name: 'Chen Jing', account: '6222020200445566' },
    ],
    selectedId: '',
    amountText: '',
    cents: 0,
    error: '',
    cards: [],
  },

  onSelectPayee(event) {
    this.setData({ selectedId: event.currentTarget.dataset.id });
  },

  onAmountInput(event) {
    const parsed = parseAmount(event.detail.value);
    this.setData({ amountText: event.detail.value, cents: parsed.cents || 0, error: parsed.error || '' });
  },

  onSubmit(event) {
    const parsed = parseAmount(event.detail.value.amount);
    if (parsed.error) {
      this.setData({ error: parsed.error });
      return;
    }
    const payee = this.data.payees.find((p) => p.id === this.data.selectedId);
    wx.navigateTo({
      url: `/pages/confirm/confirm?payee=${encodeURIComponent(payee.name)}&cents=${parsed.cents}&note=${encodeURIComponent(event.detail.value.note || '')}`,
    });
  },

  onLoadCards() {
    wx.invokeHostApi({ name: 'getBankCard', params: {} })
      .then((res) => this.setData({ cards: res.result.cards }))
      .catch((err) => wx.showToast({ title: err.errMsg, icon: 'none' }));
  },
});
