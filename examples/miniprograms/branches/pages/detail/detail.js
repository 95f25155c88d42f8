Page({
  data: { branch: null, slots: ['10:00', '11:00', '14:00', '15:30'], slotIndex: 0, booked: '' },
  onLoad(query) {
    const branch = getApp().globalData.branches.find((b) => b.id === query.id) || null;
    this.setData({ branch });
    if (branch) wx.setNavigationBarTitle({ title: branch.name });
  },
  onSlot(event) {
    this.setData({ slotIndex: Number(event.detail.value) });
  },
  onBook(event) {
    const services = event.detail.value.services || [];
    this.setData({
      booked: `${this.data.slots[this.data.slotIndex]}${services.length ? ` (${services.join(', ')})` : ''}`,
    });
  },
});
