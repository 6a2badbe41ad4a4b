// Run by slowClient.test.ts as a process of its own: a HelperClient whose helper answers
// `version`, then sends half of a message and nothing more; the client closes. The process
// must then exit by itself (prints "closed" first).
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../../src/client';

const socketPath = path.join(os.tmpdir(), `bindery-half-${process.pid}.sock`);
const server = net.createServer((s) => {
  s.once('data', (d) => {
    const id = JSON.parse(d.toString().split('\r\n\r\n')[1]).id;
    const reply = JSON.stringify({
      jsonrpc: '2.0',
      id,
      result: { protocol: '1.1.0', helper: 'test', peerUid: 0 },
    });
    s.write(`Content-Length: ${reply.length}\r\n\r\n${reply}`);
    s.write(
      'Content-Length: 1000\r\n\r\n{"jsonrpc":"2.0","method":"container/output","params":{"data":"',
    );
  });
  s.on('error', () => {});
});
server.listen(socketPath, async () => {
  const c = await HelperClient.connect({ socketPath });
  await new Promise((r) => setTimeout(r, 200)); // the half message has arrived
  c.close();
  server.close();
  console.log('closed');
});
