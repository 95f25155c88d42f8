Component({
  properties: {
    name: { type: String, value: '' },
    account: { type: String, value: '' },
    selected: { type: Boolean, value: false },
  },
  methods: {
    onTap() {
      this.triggerEvent('select', { account: this.data.account });
    },
  },
});
