// wx.getUpdateManager: what the host's update check for this launch found. onCheckForUpdate
// hears {hasUpdate}; onUpdateReady that the newer version is downloaded and verified (it runs
// at the next launch, or now with applyUpdate); onUpdateFailed that the check or download
// failed. A listener registered after the event still hears it, as in WeChat.

type Event = { event: 'check' | 'ready' | 'failed'; hasUpdate?: boolean };

export function installUpdateManager(
  wx: Record<string, unknown>,
  callHost: (name: string, args: unknown) => Promise<unknown>,
  reportError: (err: unknown, where: string) => void,
): (e: Event) => void {
  const heard: Event[] = [];
  const listeners: Array<{ event: Event['event']; fn: (r: unknown) => void }> = [];
  const call = (fn: (r: unknown) => void, e: Event) => {
    try {
      fn(e.event === 'check' ? { hasUpdate: e.hasUpdate === true } : {});
    } catch (err) {
      reportError(err, `UpdateManager ${e.event} callback`);
    }
  };
  const on = (event: Event['event']) => (fn: unknown) => {
    if (typeof fn !== 'function') return;
    listeners.push({ event, fn: fn as (r: unknown) => void });
    for (const e of heard) if (e.event === event) call(fn as (r: unknown) => void, e);
  };
  const manager = {
    onCheckForUpdate: on('check'),
    onUpdateReady: on('ready'),
    onUpdateFailed: on('failed'),
    applyUpdate: () =>
      void callHost('applyUpdate', {}).catch((err) => reportError(err, 'UpdateManager.applyUpdate')),
  };
  wx.getUpdateManager = () => manager;
  return (e) => {
    heard.push(e);
    for (const l of listeners) if (l.event === e.event) call(l.fn, e);
  };
}
