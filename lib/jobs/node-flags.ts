/**
 * Node flags that every launch of `bin/shipshape.ts` passes: the npm scripts,
 * the file's own `#!` line and the container image's entry point, and that
 * `start` and `demo` pass to the Next.js server they start, which runs the
 * in-process worker. A test checks each of them, and bench/analysis starts
 * its workers with them, so the memory it measures is the worker's.
 *
 * `--max-semi-space-size=2` caps V8's young generation at 2 MiB per
 * semi-space instead of Node 20's 16 MiB. An analysis streams hundreds of
 * MiB of layer data through short-lived buffers, and with the default the
 * worker's peak memory was 25 to 35 MiB higher before a collection freed them
 * (bench/README.md, 2026-12-05). The CPU time of an analysis changed less
 * than its run-to-run variation. The flag only takes effect at start-up, so
 * it cannot be set from inside the process.
 */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=2"];
