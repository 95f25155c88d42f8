// The logic realm of the web host: an invisible sandboxed frame (opaque origin, strict CSP)
// that starts a blob Web Worker and hands it a private MessagePort to the host.
import { createSandboxedFrame, frameDocument, LOGIC_FRAME_BOOTSTRAP, waitForLoad } from './frames.ts';

export interface LogicRealm {
  frame: HTMLIFrameElement;
  port: MessagePort;
}

export async function startLogicRealm(parent: HTMLElement, workerSource: string): Promise<LogicRealm> {
  const frame = createSandboxedFrame(
    parent.ownerDocument,
    frameDocument(LOGIC_FRAME_BOOTSTRAP),
    'mini-program logic',
  );
  frame.style.display = 'none';
  const loaded = waitForLoad(frame);
  parent.appendChild(frame);
  await loaded;
  const channel = new MessageChannel();
  frame.contentWindow?.postMessage({ type: 'tessera:logic', worker: workerSource }, '*', [channel.port2]);
  return { frame, port: channel.port1 };
}
