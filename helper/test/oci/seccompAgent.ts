// A small seccomp agent for the tests (run as its own process: it blocks): it listens on a
// unix socket, receives COUNT listener fds (one per connection, SCM_RIGHTS) each with the
// runtime's container process state, and answers every notified call with `errno:N` (the
// call fails with N) or `fake` (the call "succeeds" with 0 without running). One JSON line
// per event on stdout; it exits once it had COUNT connections and every filtered process is
// gone, or after 20 s without an event.
//
//   node --import tsx seccompAgent.ts SOCKET errno:N|fake COUNT
import * as fs from 'node:fs';
import koffi from 'koffi';

const [socketPath, mode, count] = process.argv.slice(2);
const libc = koffi.load('libc.so.6');
koffi.struct('agent_iovec', { base: 'void *', len: 'size_t' });
koffi.struct('agent_msghdr', {
  name: 'void *',
  namelen: 'uint32_t',
  iov: 'agent_iovec *',
  iovlen: 'size_t',
  control: 'void *',
  controllen: 'size_t',
  flags: 'int',
});
const socket = libc.func('int socket(int, int, int)');
const bind = libc.func('int bind(int, const void *, uint32_t)');
const listen = libc.func('int listen(int, int)');
const accept = libc.func('int accept(int, void *, void *)');
const recvmsg = libc.func('long recvmsg(int, _Inout_ agent_msghdr *msg, int)');
const ioctl = libc.func('int ioctl(int, unsigned long, void *)');
const poll = libc.func('int poll(void *, unsigned long, int)');
const errno = libc.func('int *__errno_location()');
const lastErrno = () => koffi.decode(errno(), 'int') as number;

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const POLLIN = 0x1;
const POLLHUP = 0x10;
// _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp).
const SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
const SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
const NOTIF_SIZE = 80; // id u64, pid u32, flags u32, seccomp_data (nr, arch, ip, args[6])
const RESP_SIZE = 24; // id u64, val s64, error s32, flags u32

const say = (o: unknown) => fs.writeSync(1, JSON.stringify(o) + '\n');
const die = (what: string) => {
  say({ error: `${what}: errno ${lastErrno()}` });
  process.exit(1);
};

const addr = Buffer.alloc(110);
addr.writeUInt16LE(AF_UNIX, 0);
addr.write(socketPath, 2);
const server = socket(AF_UNIX, SOCK_STREAM, 0) as number;
if (
  server < 0 ||
  (bind(server, addr, addr.length) as number) < 0 ||
  (listen(server, 1) as number) < 0
)
  die('listen');
say({ listening: socketPath });

const answer = mode.startsWith('errno:') ? -Number(mode.slice(6)) : 0;

/** One connection: the state and the listener fd. */
function receive(): number {
  const conn = accept(server, null, null) as number;
  if (conn < 0) die('accept');
  const data = Buffer.alloc(8192);
  const control = Buffer.alloc(64);
  const msg = {
    name: null,
    namelen: 0,
    iov: [{ base: data, len: data.length }],
    iovlen: 1,
    control,
    controllen: control.length,
    flags: 0,
  };
  const n = Number(recvmsg(conn, msg, 0));
  if (n <= 0) die('recvmsg');
  if (control.readInt32LE(8) !== SOL_SOCKET || control.readInt32LE(12) !== SCM_RIGHTS)
    die('no SCM_RIGHTS');
  const fds = (Number(control.readBigUInt64LE(0)) - 16) / 4;
  say({ state: JSON.parse(data.subarray(0, n).toString('utf8')), fds });
  return control.readInt32LE(16);
}

/** One notification on `fd`, answered. */
function answerOne(fd: number): void {
  const notif = Buffer.alloc(NOTIF_SIZE); // the kernel wants it zeroed
  if ((ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, notif) as number) < 0) {
    if (lastErrno() === 2 /* ENOENT: the caller died meanwhile */) return;
    die('SECCOMP_IOCTL_NOTIF_RECV');
  }
  const resp = Buffer.alloc(RESP_SIZE);
  notif.copy(resp, 0, 0, 8);
  resp.writeBigInt64LE(0n, 8);
  resp.writeInt32LE(answer, 16);
  const sent = ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) as number;
  say({ notified: notif.readInt32LE(16), answered: answer, sent: sent === 0 });
}

let accepted = 0;
let listeners: number[] = [];
for (;;) {
  const watched = accepted < Number(count) ? [server, ...listeners] : listeners;
  if (watched.length === 0) break;
  const pfds = Buffer.alloc(8 * watched.length);
  watched.forEach((fd, i) => {
    pfds.writeInt32LE(fd, i * 8);
    pfds.writeInt16LE(POLLIN, i * 8 + 4);
  });
  const r = poll(pfds, watched.length, 20_000) as number;
  if (r === 0) break;
  if (r < 0) die('poll');
  watched.forEach((fd, i) => {
    const revents = pfds.readInt16LE(i * 8 + 6);
    if (fd === server) {
      if (revents & POLLIN) {
        listeners.push(receive());
        accepted++;
      }
    } else if (revents & POLLIN) answerOne(fd);
    else if (revents & POLLHUP) listeners = listeners.filter((l) => l !== fd);
  });
}
say({ done: true });
