// Part 2: Node + the koffi addon and libc loaded, no function declared.
import { koffi } from '../../src/runtime/koffiLoader';
import { ready } from './ready';

koffi.load('libc.so.6');
ready();
