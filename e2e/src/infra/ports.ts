export { freePort, sleep } from '../harness/processes.ts';
