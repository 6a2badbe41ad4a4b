// For comparison: koffi through its own loader (index.js), as the init loaded it before.
import koffi from 'koffi';
import { ready } from './ready';

koffi.load('libc.so.6');
ready();
