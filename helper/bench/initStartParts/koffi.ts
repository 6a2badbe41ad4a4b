// Part 2: Node + the koffi addon and libc loaded, no function declared.
import koffi from 'koffi';
import { ready } from './ready';

koffi.load('libc.so.6');
ready();
