/** Test images: the same offline busybox image builder `wharf demo` uses (src/cli/busybox-image.ts). */
export * from '../../src/cli/busybox-image.js';
