// The parts of a launch the lifecycle profile names, and which part a sample belongs to:
// the first frame from the leaf up that a rule knows decides (JSON.stringify under
// writeState is a state write; under the frame writer, the event relay).
export type Side = 'daemon' | 'client';

interface Frame {
  functionName: string;
  url: string;
}

type Rule = [part: string, test: (f: Frame) => boolean];

const named = (...names: string[]) => (f: Frame) => names.includes(f.functionName);
const inFile = (...parts: string[]) => (f: Frame) => parts.some((p) => f.url.includes(p));

const DAEMON: Rule[] = [
  ['planning (planBundle, refusals)', named('planBundle', 'planFor', 'launchRefusals')],
  ['state writes (state.json with the whole plan)', named('writeState')],
  ['the init request (its JSON, written to the init\'s stdin)', named('initRequest', 'runLaunch')],
  ['mount summaries and container info (launch answer, changed)', named('info', 'planMountSummaries', 'effectiveOptions')],
  ['per-operation event: summary, text, handlers', named('operationEvent', 'applyOperationEvent', 'mountOfOperation', 'renderOperation', 'handle')],
  ['reading the init\'s event lines', named('readInitMessages', 'parseInitMessage')],
  ['notifications: JSON-RPC framing and socket writes', named('notify', 'send', 'sendNotification', 'write', 'encodeFrame', 'flush', 'writev', 'writevGeneric')],
  ['cgroups (create, remove)', named('createCgroups', 'removeCgroups')],
  ['teardown (state directory, records)', named('teardown', 'rmSync')],
  ['output pipes and the init\'s spawn (pool refill)', named('openOutput', 'LogFollower', 'spawnInitHere', 'spawn')],
  ['garbage collection', named('(garbage collector)')],
  ['(idle)', named('(idle)')],
];

/** Socket writes with no caller a rule names: the frame writer's flush, from the event loop. */
const DAEMON_WEAK: Rule[] = [
  ['notifications: JSON-RPC framing and socket writes', named('Socket._write', 'Socket._writeGeneric', 'writeGeneric', 'handleWriteReq', 'writeOrBuffer')],
];

const CLIENT: Rule[] = [
  ['JSON-RPC: reading and parsing messages', inFile('vscode-jsonrpc')],
  ['client handlers', inFile('/src/client.ts')],
  ['garbage collection', named('(garbage collector)')],
  ['(idle)', named('(idle)')],
];

export const PARTS: Record<Side, string[]> = {
  daemon: [...DAEMON.map(([p]) => p), 'other'],
  client: [...CLIENT.map(([p]) => p), 'other'],
};

/** `stack`: leaf first. */
export function partOf(side: Side, stack: Frame[]): string {
  const rules = side === 'daemon' ? DAEMON : CLIENT;
  for (const f of stack) for (const [part, test] of rules) if (test(f)) return part;
  if (side === 'daemon') for (const f of stack) for (const [part, test] of DAEMON_WEAK) if (test(f)) return part;
  return 'other';
}
