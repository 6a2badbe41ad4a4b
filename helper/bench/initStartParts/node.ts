// Part 1: Node alone.
import { ready } from './ready';

ready();
