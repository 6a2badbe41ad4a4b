// Part 5: + the warm-up run (the launch path once against the recording fake).
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { warmUp } from '../../src/runtime/warmUp';
import { ready } from './ready';

warmUp(koffiSyscalls());
ready();
