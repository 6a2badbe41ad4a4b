// A protocol constant the container init needs too, in a module of its own: protocol.ts
// loads vscode-jsonrpc, which the init has no use for and which cost each init's start-up
// about 10 ms of CPU (bench/initStart.bench.ts).

/** Bytes of each output stream of a hook kept in a HookRun. */
export const HOOK_OUTPUT_SHOWN = 8192;
