// The demo host app. Like a real web host app it never holds the sdkSecret: its backend
// (the demo server) mints short-lived session tokens server-to-server.
/* global Tessera */
(async () => {
  const status = document.getElementById('status');
  const setStatus = (text) => {
    status.textContent = text;
  };
  const config = await (await fetch('/config.json')).json();
  document.getElementById('store').textContent = config.storeUrl;
  document.getElementById('hostapp').textContent = `${config.namespace}/${config.hostApp}`;
  document.getElementById('keys').textContent = config.publicKeys.map((k) => k.keyId).join(', ');

  const form = document.getElementById('user');
  const phones = document.getElementById('phones');
  let sdk;

  const hostApis = {
    // A custom host API; the HostApp spec decides which mini-programs may call it.
    getBankCard: {
      allow: [],
      handler: () => ({ cards: ['Debit •••• 2233', 'Credit •••• 9012'] }),
    },
  };

  async function start() {
    const userId = form.userId.value.trim() || 'anonymous';
    const region = form.region.value;
    if (sdk) sdk.close();
    sdk = Tessera.createTessera({
      storeUrl: config.storeUrl,
      credentials: {
        sessionToken: async () => {
          const res = await fetch(`/session?userId=${encodeURIComponent(userId)}`, { method: 'POST' });
          if (!res.ok) throw new Error(`session: ${res.status} ${await res.text()}`);
          return (await res.json()).token;
        },
      },
      publicKeys: config.publicKeys.map((k) => k.publicKey),
      userId,
      attributes: { region, platform: 'web', sdkVersion: config.sdkVersion },
      hostApis,
      // Host menu items in the capsule's "more" sheet; the HostApp spec decides who sees them.
      menuItems: [{ id: 'share-to-chat', text: 'Share', allow: [] }],
      onMenuItem: (e) => setStatus(`${e.appId}: menu item ${e.id} tapped`),
      onClose: (e) => {
        document.querySelector(`.phone[data-app-id="${e.appId}"]`)?.remove();
        setStatus(`${e.appId} closed`);
      },
      // Ask the store on every launch so promote/rollback/suspend show at once (the bank
      // HostApp's updatePolicy would otherwise run the cached version and update in the background).
      policy: 'network-first',
      onError: (e) => setStatus(`${e.appId}: ${e.message}`),
    });
    phones.replaceChildren();
    const results = await Promise.allSettled(config.appIds.map((appId) => launchInPhone(appId)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    setStatus(
      failed
        ? `${failed} of ${results.length} mini-programs could not be opened (see the phone screens)`
        : `Signed in as ${userId} (${region}); ${results.length} mini-programs running`,
    );
  }

  async function launchInPhone(appId) {
    const phone = document.createElement('section');
    phone.className = 'phone';
    phone.dataset.appId = appId;
    const bar = document.createElement('div');
    bar.className = 'bar';
    const title = document.createElement('span');
    title.textContent = appId;
    const version = document.createElement('span');
    version.className = 'version';
    const back = document.createElement('button');
    back.textContent = '‹ Back';
    bar.append(back, title, version);
    const screen = document.createElement('div');
    screen.className = 'screen';
    phone.append(bar, screen);
    phones.append(phone);
    const running = await sdk.launch(appId, { container: screen });
    const t = running.timings;
    const total =
      t.total ??
      (t.setup ?? 0) + t.resolve + t.download + t.verify + (t.logicBoot ?? 0) + (t.firstRender ?? 0);
    version.textContent = `v${running.version} · ${running.source} · ${Math.round(total)} ms`;
    phone.dataset.version = running.version;
    back.onclick = () => running.navigateBack();
    return running;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    start().catch((err) => setStatus(String(err)));
  });
  await start();
})().catch((err) => {
  document.getElementById('status').textContent = `Demo failed to start: ${err}`;
});
