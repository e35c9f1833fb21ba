/**
 * Fuzz test of the analyser with hostile image contents: tar layers, gzip and
 * zstd streams, manifests and indexes, image configs, in-toto statements, SPDX
 * and SLSA predicates, and every package database the catalogers read.
 *
 * Two parts:
 * - the corpus in lib/analysis/testdata/fuzz, cases that once found a fault,
 *   run as regular tests;
 * - generated cases: each input class's hand-made hostile cases plus
 *   FUZZ_CASES mutations of the committed testdata per class (default 10),
 *   from the fixed seed FUZZ_SEED. They run in a child process, so a case that
 *   hangs past the per-case timeout or crashes its process is reported as a
 *   fault with its seed, class, index and name, and the run goes on.
 *
 * Longer local run: `FUZZ_CASES=500 FUZZ_SEED=7 npx vitest run lib/analysis/fuzz/fuzz.test.ts`.
 * One class only: add `FUZZ_CLASSES=gzip,dpkg`. A fault found so is reproduced
 * by the same seed and class, and its case belongs in the corpus.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { beforeAll, describe, expect, test } from "vitest";

import { analyseLayers } from "@/lib/analysis/fuzz/analyse-layers";
import { writeRawTar } from "@/lib/analysis/fuzz/hostile-tar";
import { inputClasses } from "@/lib/analysis/fuzz/input-classes";
import { runFuzz, type FuzzReport } from "@/lib/analysis/fuzz/run-fuzz";

const CORPUS_DIR = fileURLToPath(new URL("../testdata/fuzz/", import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const GENERATED_PER_CLASS = Number(process.env.FUZZ_CASES ?? 10);
const CLASSES = process.env.FUZZ_CLASSES ? process.env.FUZZ_CLASSES.split(",") : [];
/**
 * Time a case may take before it counts as hung, in milliseconds. Generous,
 * because the zip bomb case alone took 9 s on a loaded two-core machine.
 */
const CASE_TIMEOUT_MS = 20_000;
/** Heap growth allowed between the first and the last case of a child, after garbage collection. */
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

/** Corpus files, the input class that reads each, and where a package database sits in the image. */
const corpus: { file: string; className: string; path?: string }[] = [
  { file: "symlink-self-directory.tar", className: "tar" },
  { file: "whiteout-empty-name.tar", className: "tar" },
  { file: "whiteout-dotdot.tar", className: "tar" },
  { file: "symlink-at-root.tar.gz", className: "gzip" },
  { file: "tar-size-field-never-settles.tar", className: "tar" },
  { file: "tar-size-field-never-settles.tar.zst", className: "zstd" },
  { file: "dpkg-source-spaces.status", className: "dpkg", path: "/var/lib/dpkg/status" },
  { file: "gemspec-blank-lines.gemspec", className: "ruby", path: "/usr/local/bundle/specifications/blank-1.0.gemspec" },
  { file: "pom-unclosed-tags.jar", className: "java", path: "/app/lib/unclosed-1.0.jar" },
  { file: "python-license-classifier-tabs.METADATA", className: "python", path: "/usr/lib/python3/site-packages/tabs-1.0.dist-info/METADATA" },
];

describe("fuzz corpus", () => {
  let report: FuzzReport;

  beforeAll(async () => {
    report = await runFuzz({
      seed: SEED,
      generatedPerClass: 0,
      corpus: corpus.map((entry) => ({ ...entry, file: join(CORPUS_DIR, entry.file) })),
      caseTimeoutMs: CASE_TIMEOUT_MS,
      maxHeapMb: 1536,
    });
  }, 300_000);

  test.each(corpus)("$file is handled", (entry) => {
    expect(report.figures.get(entry.className)?.fixed ?? 0).toBeGreaterThan(0);
    expect(report.faults.filter((fault) => fault.caseName === entry.file).map((fault) => fault.message)).toEqual([]);
  });

  test("ignored root entries reported with layer", async () => {
    const layers = ["whiteout-empty-name.tar", "whiteout-dotdot.tar"].map((file, index) => ({
      digest: `sha256:${String(index).repeat(64)}`,
      bytes: new Uint8Array(readFileSync(join(CORPUS_DIR, file))),
    }));
    const { problems, packages } = await analyseLayers(layers);

    expect(problems).toContainEqual({ layerDigest: layers[0]!.digest, path: "/", message: expect.stringContaining("Whiteout names no file") });
    expect(problems).toContainEqual({ layerDigest: layers[1]!.digest, path: "/etc/.", message: expect.stringContaining("Whiteout names no file") });
    // Both layers write the same status file, so the upper layer's copy survives and is read.
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(["fuzz@1.0"]);
  });

  test("file below symlink loop reported", async () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS_DIR, "symlink-self-directory.tar")));
    const digest = `sha256:${"c".repeat(64)}`;
    const { problems } = await analyseLayers([{ digest, bytes }]);

    expect(problems).toContainEqual({ layerDigest: digest, path: "/var/lib/dpkg/status", message: expect.stringContaining("symlink loop") });
  });

  test("flooded dpkg Source field keeps packages", async () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS_DIR, "dpkg-source-spaces.status")));
    const { packages } = await analyseLayers([{ digest: `sha256:${"d".repeat(64)}`, bytes: writeRawTar([{ name: "var/lib/dpkg/status", type: "0", content: bytes }]) }]);

    expect(packages.map((pkg) => pkg.name).sort()).toEqual(["healthy", "spaces"]);
  });
});

describe("generated fuzz cases", () => {
  let report: FuzzReport;

  beforeAll(async () => {
    report = await runFuzz({ seed: SEED, generatedPerClass: GENERATED_PER_CLASS, classes: CLASSES, caseTimeoutMs: CASE_TIMEOUT_MS, maxHeapMb: 1536 });
    const rows = [...report.figures].map(([name, figures]) => `${name.padEnd(18)} fixed ${String(figures.fixed).padStart(3)}  generated ${String(figures.generated).padStart(4)}  faults ${figures.faults}`);
    const slowest = report.slowest.map((entry) => `${entry.className} ${entry.caseName}: ${entry.durationMs} ms`);
    console.log(`fuzz seed ${SEED}, ${GENERATED_PER_CLASS} generated cases per class\n${rows.join("\n")}\nmax RSS ${Math.round(report.maxRssBytes / 1024 ** 2)} MiB\nslowest cases:\n${slowest.join("\n")}`);
  }, 600_000);

  const classNames = inputClasses.map((inputClass) => inputClass.name).filter((name) => CLASSES.length === 0 || CLASSES.includes(name));

  test.each(classNames)("%s cases raise no fault", (className) => {
    expect(report.figures.get(className)?.fixed ?? 0).toBeGreaterThan(0);
    const faults = report.faults
      .filter((fault) => fault.className === className)
      .map((fault) => `FUZZ_SEED=${fault.seed} FUZZ_CLASSES=${fault.className} case ${fault.caseIndex} (${fault.caseName}): ${fault.message}`);
    expect(faults).toEqual([]);
  });

  test("heap stays bounded over the run", () => {
    expect(report.heapGrowthBytes.length).toBeGreaterThan(0);
    for (const growth of report.heapGrowthBytes) expect(growth).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
  });
});
