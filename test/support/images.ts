/**
 * Test images: the same offline busybox image builder `wharf demo` uses (src/cli/busybox-image.ts), with
 * loadIntoRuntime going to whichever runtime the tests run against (support/runtime.ts).
 */
export * from '../../src/cli/busybox-image.js';
export { loadIntoRuntime } from './runtime.js';
