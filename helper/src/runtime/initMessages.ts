// Reading what an init says on its event pipe (initProtocol.ts): one JSON message a line.
import type { InitMessage } from './initProtocol';

/** Each line of the init's event pipe (`msg` undefined when it is not JSON); resolves when the pipe closes. */
export function readInitMessages(
  stream: NodeJS.ReadableStream,
  onMessage: (msg: InitMessage | undefined, line: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let msg: InitMessage | undefined;
        try {
          msg = JSON.parse(line) as InitMessage;
        } catch {
          msg = undefined;
        }
        onMessage(msg, line);
      }
    });
    stream.on('end', () => resolve());
    stream.on('error', () => resolve());
  });
}
