// Analysis benchmark: a real Debian image built with debootstrap, umoci and
// skopeo (lib/analysis/testing/real-images.ts) and a synthetic image with one
// large gzip layer. Both are pushed to a local CNCF registry with basic auth
// and synced into an embedded Postgres. For each image it runs four steps,
// each in its own child process: a baseline that only fetches and gunzips the
// layers, the same through the analyser's tar reader, a first analysis, and a
// second analysis with every layer cached. Each of REPEAT rounds runs all four
// steps, and every first analysis starts from an empty layer cache. It prints
// the median wall time of each step with its range, the ratio of the medians
// of the first analysis and the baseline, the highest peak RSS (VmHWM) of each
// step's processes, and the blob fetches of both analyses. A worker that only
// loads the analyser and runs one query shows the part of the peak RSS that
// every worker has.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { NODE_FLAGS } from "@/lib/jobs/node-flags";

import type { WorkerMode, WorkerRequest, WorkerResult } from "./worker";

const { values } = parseArgs({
  options: {
    "layer-mib": { type: "string", default: "1024" },
    files: { type: "string", default: "4" },
    packages: { type: "string", default: "200" },
    repeat: { type: "string", default: "3" },
    "cpu-prof-dir": { type: "string" },
  },
});
const layerMib = Number(values["layer-mib"]);
const fileCount = Number(values.files);
const packageCount = Number(values.packages);
const repeat = Number(values.repeat);
// Folder for CPU profiles (.cpuprofile, readable in Chrome DevTools) of the workers. They are passed as
// command-line flags because NODE_OPTIONS does not accept --cpu-prof.
const cpuProfileDir = values["cpu-prof-dir"] === undefined ? null : path.resolve(values["cpu-prof-dir"]);
let workerCount = 0;
for (const [name, value] of [["--layer-mib", layerMib], ["--files", fileCount], ["--packages", packageCount], ["--repeat", repeat]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}.`);
}
process.env.LOG_LEVEL ??= "warn";

const MIB = 1024 * 1024;
const ORGANIZATION = "bench";
const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));

const dataDir = await mkdtemp(path.join(tmpdir(), "shipshape-bench-analysis-"));
const { startEmbeddedPostgres } = await import("@/lib/database/embedded-postgres");
const database = await startEmbeddedPostgres(dataDir);
process.env.DATABASE_URL = database.url;
const { applyMigrations } = await import("@/lib/database/migrate");
await applyMigrations(database.url);

const { buildRealImage, pushRealImage, REAL_IMAGE_TAG } = await import("@/lib/analysis/testing/real-images");
const { startRegistryServer } = await import("@/lib/registry/testing/registry-server");
const { syncOrganization } = await import("@/lib/sync/sync-organization");
const { testRegistrySource } = await import("@/lib/sync/testing/test-registry-source");
const { getPrisma } = await import("@/lib/db");
const { pushSyntheticImage } = await import("./synthetic-image");

const credentials = { username: "bench", password: randomBytes(12).toString("hex") };
const registry = await startRegistryServer({ htpasswd: credentials });
try {
  const buildStarted = performance.now();
  const real = await buildRealImage();
  console.log(`real image ready in ${seconds(performance.now() - buildStarted)} (built, or read from .cache/real-images)`);
  await pushRealImage(real, registry, `${ORGANIZATION}/debian`, credentials);

  const synthetic = await pushSyntheticImage(registry, `${ORGANIZATION}/large`, "1", credentials, { dataBytes: layerMib * MIB, files: fileCount, packages: packageCount });
  console.log(
    `synthetic layer: ${mib(synthetic.uncompressedBytes)} tar, ${mib(synthetic.compressedBytes)} gzip, generated and pushed in ${seconds(synthetic.pushMs)}`,
  );

  const prisma = getPrisma();
  const sync = await syncOrganization(prisma, testRegistrySource(registry.url, credentials), ORGANIZATION, { analyzeLater: async () => {} });
  if (sync.status !== "SUCCEEDED") throw new Error(`Sync ended ${sync.status}: ${JSON.stringify(sync.errors)}`);

  const idle = await runWorker({ registryUrl: registry.url, ...credentials, repository: `${ORGANIZATION}/debian`, imageDigest: "", mode: "idle" });
  console.log(`worker with the analyser loaded and one query run, no work: peak RSS ${mib(idle.peakRssBytes)}`);

  const images = [
    { label: "real Debian 12 image", repository: `${ORGANIZATION}/debian`, tag: REAL_IMAGE_TAG },
    { label: `synthetic image, one ${layerMib} MiB layer in ${fileCount} files`, repository: `${ORGANIZATION}/large`, tag: "1" },
  ];
  for (const image of images) {
    const stored = await prisma.tag.findFirstOrThrow({ where: { name: image.tag, repository: { name: image.repository } }, include: { manifest: { include: { images: { include: { image: { include: { layers: { include: { layer: true } } } } } } } } } });
    const platformImage = stored.manifest.images[0]?.image;
    if (platformImage === undefined) throw new Error(`${image.repository}:${image.tag} was stored without an image.`);
    const compressed = platformImage.layers.reduce((sum, entry) => sum + Number(entry.layer.size), 0);

    const request = { registryUrl: registry.url, ...credentials, repository: image.repository, imageDigest: platformImage.digest };
    const layerDigests = platformImage.layers.map((entry) => entry.layerDigest);
    const rounds: Record<"baseline" | "tarWalk" | "first" | "second", WorkerResult[]> = { baseline: [], tarWalk: [], first: [], second: [] };
    for (let round = 0; round < repeat; round += 1) {
      rounds.baseline.push(await runWorker({ ...request, mode: "decompress" }));
      rounds.tarWalk.push(await runWorker({ ...request, mode: "read-tar" }));
      await prisma.layerAnalysis.deleteMany({ where: { layerDigest: { in: layerDigests } } });
      rounds.first.push(await runWorker({ ...request, mode: "analyse" }));
      rounds.second.push(await runWorker({ ...request, mode: "analyse" }));
    }

    const baselineMs = median(rounds.baseline);
    const uncompressed = rounds.baseline[0]?.uncompressedBytes ?? 0;
    console.log(`\n${image.label}: ${platformImage.layers.length} layers, ${mib(compressed)} compressed, ${mib(uncompressed)} uncompressed, ${repeat} rounds`);
    console.log(`  baseline (fetch + gunzip only): ${timing(rounds.baseline)}, peak RSS ${peakRss(rounds.baseline)}`);
    console.log(`  fetch + gunzip + tar walk (layer reader, no files requested): ${timing(rounds.tarWalk)}, ratio ${(median(rounds.tarWalk) / baselineMs).toFixed(2)}, peak RSS ${peakRss(rounds.tarWalk)}`);
    console.log(`  first analysis: ${describeAnalysis(rounds.first)}, ${timing(rounds.first)}, ratio to baseline ${(median(rounds.first) / baselineMs).toFixed(2)}, peak RSS ${peakRss(rounds.first)}`);
    console.log(`  second analysis (layers cached): ${describeAnalysis(rounds.second)}, ${timing(rounds.second)}, peak RSS ${peakRss(rounds.second)}`);
  }
  await prisma.$disconnect();
} finally {
  await registry.stop();
  await database.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** Runs one step in a fresh Node process, so its peak RSS covers that step alone. */
async function runWorker(request: WorkerRequest & { mode: WorkerMode }): Promise<WorkerResult> {
  workerCount += 1;
  // One folder per worker, because the main thread and the module loader's thread each write a profile.
  const profileName = `${String(workerCount).padStart(2, "0")}-${request.repository.replace("/", "-")}-${request.mode}`;
  const profileArgs = cpuProfileDir === null ? [] : ["--cpu-prof", "--cpu-prof-dir", path.join(cpuProfileDir, profileName)];
  // The worker starts with the Node flags of every Shipshape launch, so its memory is the product worker's.
  const child = spawn(process.execPath, [...profileArgs, ...NODE_FLAGS, "--import", "tsx", workerPath], {
    cwd: repositoryRoot,
    env: { ...process.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const result = new Promise<WorkerResult>((resolve, reject) => {
    let received: WorkerResult | null = null;
    child.once("message", (message) => {
      received = message as WorkerResult;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (received !== null) resolve(received);
      else reject(new Error(`The ${request.mode} worker exited with ${code ?? signal} before reporting a result.`));
    });
  });
  child.send(request);
  return result;
}

/** Describes the analyses of all rounds; the counts are listed once when every round agrees. */
function describeAnalysis(results: WorkerResult[]): string {
  const descriptions = results.map((result) =>
    result.status === "ANALYSED" ? `${result.packageCount} packages, ${result.problemCount} problems, ${result.blobFetches} blob fetches` : `${result.status}: ${result.reason}`,
  );
  const distinct = [...new Set(descriptions)];
  return distinct.length === 1 ? (distinct[0] ?? "") : descriptions.join(" / ");
}

function median(results: WorkerResult[]): number {
  const times = results.map((result) => result.ms).sort((a, b) => a - b);
  const middle = Math.floor(times.length / 2);
  return times.length % 2 === 1 ? (times[middle] ?? 0) : ((times[middle - 1] ?? 0) + (times[middle] ?? 0)) / 2;
}

/** Formats the median wall time with its range, then the median CPU time of the worker's threads. */
function timing(results: WorkerResult[]): string {
  const times = results.map((result) => result.ms);
  const cpu = `CPU ${seconds(median(results.map((result) => ({ ...result, ms: result.cpuMs }))))}`;
  if (times.length === 1) return `${seconds(times[0] ?? 0)}, ${cpu}`;
  return `${seconds(median(results))} (${seconds(Math.min(...times))} to ${seconds(Math.max(...times))}), ${cpu}`;
}

function peakRss(results: WorkerResult[]): string {
  return mib(Math.max(...results.map((result) => result.peakRssBytes)));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
