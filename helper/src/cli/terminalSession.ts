// `bindery run` with a container that has a terminal: this process's terminal becomes the
// container's, as with `runc run` or `docker run -it`. Raw mode (so Ctrl-C, Ctrl-Z and
// every key go to the container, where its terminal's line discipline acts on them), the
// size sent first and again on every SIGWINCH, and the input pumped in order. Without a
// terminal of our own (stdin a pipe), input is relayed as it comes, with no raw mode and no
// size.
import { StringDecoder } from 'node:string_decoder';

/** The container's terminal, as the daemon or the embedded runtime reaches it. */
export interface TerminalTarget {
  /** Resolves false when the container has not read enough yet (try again later), true when taken. */
  input(data: string): Promise<boolean>;
  resize(rows: number, cols: number): Promise<void>;
}

/** Per request, below the protocol's 16 KiB (a character is at most 4 bytes). */
const CHUNK_CHARS = 4096;
const RETRY_MS = 50;

/** Start relaying; returns the function that stops it and gives the terminal back as it was. */
export function attachTerminal(target: TerminalTarget): () => void {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const decoder = new StringDecoder('utf8');
  let queue = Promise.resolve();
  let stopped = false;
  const send = (text: string) => {
    for (let i = 0; i < text.length; i += CHUNK_CHARS) {
      const chunk = text.slice(i, i + CHUNK_CHARS);
      queue = queue.then(async () => {
        while (!stopped && !(await target.input(chunk).catch(() => true)))
          await new Promise((r) => setTimeout(r, RETRY_MS));
      });
    }
  };
  const onData = (b: Buffer) => {
    const text = decoder.write(b);
    if (text) send(text);
  };
  stdin.on('data', onData);
  stdin.resume();

  const out = process.stdout;
  const sendSize = () => {
    if (out.isTTY && out.rows > 0 && out.columns > 0)
      void target.resize(out.rows, out.columns).catch(() => {});
  };
  sendSize();
  out.on('resize', sendSize);

  return () => {
    stopped = true;
    stdin.off('data', onData);
    out.off('resize', sendSize);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  };
}
