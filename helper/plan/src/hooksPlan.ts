// The spec's hooks as operations, in runc 1.1's order and places:
//   prestart, createRuntime — the runtime, on the host, once every mount and device is in
//     place and before pivot_root (runc's procHooks sync);
//   createContainer — the container's init, in its namespaces, right after them, still
//     before pivot_root, its working directory the rootfs;
//   startContainer — the init again, after the process set-up (ids, capabilities), right
//     before execve, the path looked up inside the container;
//   poststart — the runtime, once the process runs; poststop — the runtime, when the
//     container is deleted.
// The first four abort the launch when they fail; poststart and poststop only warn (the
// runtime-spec's words; see the runtime README for where runc 1.1 differs).
import { asArray, asObject, get } from './json';
import type { HookKind, HookOp, JsonPath, Origin } from './types';

export const HOOK_KINDS: readonly HookKind[] = [
  'prestart',
  'createRuntime',
  'createContainer',
  'startContainer',
  'poststart',
  'poststop',
];

const RUNS_IN: Readonly<Record<HookKind, HookOp['runsIn']>> = {
  prestart: 'runtime',
  createRuntime: 'runtime',
  createContainer: 'container',
  startContainer: 'container',
  poststart: 'runtime',
  poststop: 'runtime',
};

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Every well-formed hook of one kind; malformed entries are the structure rule's to report. */
export function planHooksOf(
  spec: unknown,
  kind: HookKind,
  specOrigin: (path: JsonPath) => Origin,
): HookOp[] {
  const out: HookOp[] = [];
  asArray(get(spec, 'hooks', kind)).forEach((entry, index) => {
    const h = asObject(entry);
    if (!h || typeof h.path !== 'string' || !h.path.startsWith('/')) return;
    if (h.args !== undefined && h.args !== null && !isStringList(h.args)) return;
    if (h.env !== undefined && h.env !== null && !isStringList(h.env)) return;
    const timeout = h.timeout;
    if (timeout !== undefined && timeout !== null && !(Number.isInteger(timeout) && (timeout as number) > 0))
      return;
    out.push({
      op: 'hook',
      kind,
      index,
      path: h.path,
      args: isStringList(h.args) ? h.args : [],
      ...(isStringList(h.env) ? { env: h.env } : {}),
      ...(typeof timeout === 'number' ? { timeoutSeconds: timeout } : {}),
      runsIn: RUNS_IN[kind],
      fatal: kind !== 'poststart' && kind !== 'poststop',
      origin: specOrigin(['hooks', kind, index]),
    });
  });
  return out;
}

/** The hooks that run before pivot_root, in runc's order. */
export function planCreateHooks(spec: unknown, specOrigin: (path: JsonPath) => Origin): HookOp[] {
  return (['prestart', 'createRuntime', 'createContainer'] as const).flatMap((k) =>
    planHooksOf(spec, k, specOrigin),
  );
}

/** The hooks around the process: startContainer, poststart, poststop. */
export function planProcessHooks(spec: unknown, specOrigin: (path: JsonPath) => Origin): HookOp[] {
  return (['startContainer', 'poststart', 'poststop'] as const).flatMap((k) =>
    planHooksOf(spec, k, specOrigin),
  );
}
