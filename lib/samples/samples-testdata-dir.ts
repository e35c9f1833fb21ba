import { fileURLToPath } from "node:url";

/**
 * Absolute path of `lib/samples/testdata`, the root filesystems and fixtures the samples are built from.
 * NOTE: resolved from this module's URL, so it is right when the module runs from source (tsx,
 * vitest) and wrong inside a bundle that moves the module, such as a Next.js server chunk.
 */
export const SAMPLES_TESTDATA_DIR = fileURLToPath(new URL("./testdata/", import.meta.url));
