// Why the helper cannot be reached, and what the user can do about it.
// Pure: the caller gathers the facts (errno, socket stat, groups) and we turn them into words.
import { PROTOCOL_VERSION, SOCKET_GROUP } from '../../helper/src/protocol';

export type ProblemCode =
  | 'no-socket'
  | 'no-listener'
  | 'permission-denied'
  | 'version-mismatch'
  | 'not-a-socket'
  | 'timeout'
  | 'connection-lost'
  | 'error';

/** One way out, shown as a button or a link. */
export interface Remedy {
  title: string;
  kind: 'copy' | 'terminal' | 'docs' | 'reconnect';
  /** Shell command for `copy` and `terminal`. */
  command?: string;
}

export interface HelperProblem {
  code: ProblemCode;
  /** A few words, for the view's row: "no socket". */
  short: string;
  /** One line, for the status bar and the view's message. */
  summary: string;
  /** A paragraph: what we saw and why it matters. */
  detail: string;
  remedies: Remedy[];
}

export interface ConnectFacts {
  socketPath: string;
  /** errno name from connect(2), e.g. ENOENT; undefined when the connection opened. */
  errno?: string;
  message?: string;
  /** The socket file's owner group, when it exists. */
  socketGroup?: { gid: number; name?: string };
  /** The groups this extension host runs with. */
  processGids?: number[];
  /** Users listed as members of the socket's group in the group database. */
  groupMembers?: string[];
  userName?: string;
  /** Whether the socket's directory exists (a missing directory means the helper never ran). */
  socketDirExists?: boolean;
  isSocket?: boolean;
}

const START_COMMANDS = {
  systemd: 'sudo systemctl enable --now bindery.socket',
  foreground: 'sudo bindery daemon',
};

export function diagnoseConnectError(f: ConnectFacts): HelperProblem {
  const reconnect: Remedy = { title: 'Reconnect', kind: 'reconnect' };
  const docs: Remedy = { title: 'Open docs', kind: 'docs' };
  switch (f.errno) {
    case 'ENOENT':
      return {
        code: 'no-socket',
        short: 'no socket',
        summary: `no socket at ${f.socketPath}: the helper is not running`,
        detail:
          `There is no socket at ${f.socketPath}` +
          (f.socketDirExists === false
            ? ' (its directory does not exist either, so the helper has not run since boot)'
            : '') +
          `. Start the helper with systemd (\`${START_COMMANDS.systemd}\`, it then starts on first use) ` +
          `or in a terminal with \`${START_COMMANDS.foreground}\`. If it listens elsewhere, set \`bindery.helper.socketPath\`.`,
        remedies: [
          {
            title: 'Start helper in terminal',
            kind: 'terminal',
            command: START_COMMANDS.foreground,
          },
          { title: 'Copy systemd command', kind: 'copy', command: START_COMMANDS.systemd },
          docs,
          reconnect,
        ],
      };
    case 'ECONNREFUSED':
      return {
        code: 'no-listener',
        short: 'nothing listens on the socket',
        summary: `nothing listens on ${f.socketPath}: the helper stopped`,
        detail:
          `The socket file ${f.socketPath} exists but nothing listens on it: the helper stopped or crashed and left it behind. ` +
          `Restart it (\`sudo systemctl restart bindery.socket\`, or \`${START_COMMANDS.foreground}\`); its state directory is reconciled on start, so running containers are re-adopted.`,
        remedies: [
          {
            title: 'Start helper in terminal',
            kind: 'terminal',
            command: START_COMMANDS.foreground,
          },
          {
            title: 'Copy restart command',
            kind: 'copy',
            command: 'sudo systemctl restart bindery.socket',
          },
          docs,
          reconnect,
        ],
      };
    case 'EACCES':
    case 'EPERM':
      return permissionDenied(f, reconnect, docs);
    case 'ENOTSOCK':
      return {
        code: 'not-a-socket',
        short: 'not a socket',
        summary: `${f.socketPath} is not a socket`,
        detail: `${f.socketPath} exists but is not a unix socket. Check \`bindery.helper.socketPath\`.`,
        remedies: [docs, reconnect],
      };
    case 'ETIMEDOUT':
      return {
        code: 'timeout',
        short: 'no answer',
        summary: `helper did not answer on ${f.socketPath}`,
        detail: `The connection opened but the helper did not answer the version request. It may be stuck; check its log (\`journalctl -u bindery\`).`,
        remedies: [
          { title: 'Copy log command', kind: 'copy', command: 'journalctl -u bindery -e' },
          reconnect,
        ],
      };
    default:
      return {
        code: 'error',
        short: f.errno ?? 'connection failed',
        summary: `cannot connect to ${f.socketPath}: ${f.errno ?? f.message ?? 'unknown error'}`,
        detail: `Connecting to ${f.socketPath} failed: ${f.message ?? f.errno}.`,
        remedies: [docs, reconnect],
      };
  }
}

function permissionDenied(f: ConnectFacts, reconnect: Remedy, docs: Remedy): HelperProblem {
  const group = f.socketGroup?.name ?? (f.socketGroup ? `gid ${f.socketGroup.gid}` : SOCKET_GROUP);
  const listed = f.userName !== undefined && (f.groupMembers ?? []).includes(f.userName);
  const why =
    `Members of \`${group}\` may talk to the helper, and that is safe: it is not root-equivalent. ` +
    `The helper identifies every caller by its uid (SO_PEERCRED) and only bind-mounts what that uid could read, ` +
    `runs the process as that uid, refuses devices, setuid binaries and mounts over /proc, and lets you stop only your own containers.`;
  const add = `sudo usermod -aG ${group} ${f.userName ?? '$USER'}`;
  if (listed) {
    return {
      code: 'permission-denied',
      short: 'permission denied',
      summary: `permission denied on ${f.socketPath}: log in again to use group ${group}`,
      detail:
        `You are listed in group \`${group}\`, but this session started before that, so VS Code does not have the group yet. ` +
        `Log out and back in (or restart the VS Code server). ${why}`,
      remedies: [docs, reconnect],
    };
  }
  return {
    code: 'permission-denied',
    short: 'permission denied',
    summary: `permission denied on ${f.socketPath}: not in group ${group}`,
    detail:
      `The socket ${f.socketPath} is open to group \`${group}\` (mode 0660) and ${f.userName ?? 'this user'} is not a member. ` +
      `Add yourself with \`${add}\`, then log out and back in. ${why}`,
    remedies: [
      { title: 'Copy command', kind: 'copy', command: add },
      { title: 'Run in terminal', kind: 'terminal', command: add },
      docs,
      reconnect,
    ],
  };
}

export function diagnoseVersion(
  socketPath: string,
  helperProtocol: string,
  helperVersion: string,
): HelperProblem | undefined {
  if (major(helperProtocol) === major(PROTOCOL_VERSION)) return undefined;
  const helperOlder = major(helperProtocol) < major(PROTOCOL_VERSION);
  return {
    code: 'version-mismatch',
    short: 'protocol version mismatch',
    summary: `helper speaks protocol ${helperProtocol}, this extension ${PROTOCOL_VERSION}`,
    detail:
      `The helper at ${socketPath} (bindery ${helperVersion}) speaks protocol ${helperProtocol}; this extension needs ${major(PROTOCOL_VERSION)}.x. ` +
      (helperOlder
        ? 'Update the helper to the version shipped with this extension and restart it.'
        : 'The helper is newer than this extension: update the extension.'),
    remedies: [
      ...(helperOlder
        ? [
            {
              title: 'Copy restart command',
              kind: 'copy' as const,
              command: 'sudo systemctl restart bindery.socket bindery.service',
            },
          ]
        : []),
      { title: 'Open docs', kind: 'docs' },
      { title: 'Reconnect', kind: 'reconnect' },
    ],
  };
}

export function connectionLost(socketPath: string): HelperProblem {
  return {
    code: 'connection-lost',
    short: 'connection lost',
    summary: `lost the connection to the helper at ${socketPath}`,
    detail:
      'The helper closed the connection (it stopped or restarted). Containers keep running; reconnecting shows them again.',
    remedies: [{ title: 'Reconnect', kind: 'reconnect' }],
  };
}

function major(v: string): number {
  return Number.parseInt(v.split('.')[0] ?? '', 10);
}
