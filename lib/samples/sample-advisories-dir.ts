import { fileURLToPath } from "node:url";

/**
 * Absolute path of the folder of real OSV records that the e2e server imports
 * after syncing the sample images, so that demo/worker:2.0 and
 * demo/alpine-tools:3.4 have findings. The folder contains the advisory import
 * tests' fixtures, which those tests never edit.
 * NOTE: resolved from this module's URL, like SAMPLES_TESTDATA_DIR, so it is
 * right only when the module runs from source (tsx, vitest).
 */
export const SAMPLE_ADVISORIES_DIR = fileURLToPath(new URL("../advisories/testdata/osv/", import.meta.url));
