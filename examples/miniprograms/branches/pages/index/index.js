const { search } = require('../../utils/branches.js');

Page({
  data: { query: '', results: [], total: 0 },
  onLoad() {
    const list = getApp().globalData.branches;
    this.setData({ results: list, total: list.length });
  },
  onSearch(event) {
    const query = event.detail.value;
    this.setData({ query, results: search(getApp().globalData.branches, query) });
  },
  onOpen(event) {
    wx.navigateTo({ url: `/pages/detail/detail?id=${event.currentTarget.dataset.id}` });
  },
});
