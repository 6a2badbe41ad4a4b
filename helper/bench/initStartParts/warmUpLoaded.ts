// Part 4: + the launch path's modules (the plan, rootfs, process set-up) loaded, not run.
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { warmUp } from '../../src/runtime/warmUp';
import { ready } from './ready';

koffiSyscalls();
if (typeof warmUp !== 'function') throw new Error('warmUp missing');
ready();
