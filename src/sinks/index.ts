export { toQueue, WHERE_HEADER, type ToQueueOptions, type Publication } from './to-queue.js';
