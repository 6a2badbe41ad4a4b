// Part 3: + every libc function the init declares (koffiSyscalls()).
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { ready } from './ready';

koffiSyscalls();
ready();
