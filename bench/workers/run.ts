// Worker throughput benchmark: layers analysed per minute with 1, 2 and 4
// `shipshape worker` processes sharing one queue. Pushes IMAGES one-layer
// images to a local CNCF registry, each layer unique (a Debian os-release, a
// dpkg status of PACKAGES packages with copyright files, and LAYER_MIB MiB of
// data), syncs them without analysing, then for each worker count clears the
// analyses, starts the workers, queues one analysis job per image and times
// until every image is analysed. The baseline is the run with one worker, so
// each ratio is the speed-up over it.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    images: { type: "string", default: "24" },
    "layer-mib": { type: "string", default: "8" },
    packages: { type: "string", default: "200" },
    workers: { type: "string", default: "1,2,4" },
  },
});
const imageCount = Number(values.images);
const layerMib = Number(values["layer-mib"]);
const packageCount = Number(values.packages);
const workerCounts = values.workers.split(",").map(Number);
for (const [name, value] of [["--images", imageCount], ["--layer-mib", layerMib], ["--packages", packageCount], ...workerCounts.map((count) => ["--workers", count] as const)] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}.`);
}
process.env.LOG_LEVEL ??= "warn";
const ORGANIZATION = "bench";
const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

const { startBenchDatabase } = await import("../bench-database");
const database = await startBenchDatabase("workers");
const { startRegistryServer } = await import("@/lib/registry/testing/registry-server");
const { syncOrganization } = await import("@/lib/sync/sync-organization");
const { testRegistrySource } = await import("@/lib/sync/testing/test-registry-source");
const { getPrisma } = await import("@/lib/db");
const { jobNames, startQueue } = await import("@/lib/jobs/queue");
const { pushSyntheticImage } = await import("../analysis/synthetic-image");

const credentials = { username: "bench", password: randomBytes(12).toString("hex") };
const registry = await startRegistryServer({ htpasswd: credentials });
const prisma = getPrisma();
const boss = await startQueue(database.url);
try {
  const pushStarted = performance.now();
  const images: { repository: string; digest: string }[] = [];
  for (let index = 0; index < imageCount; index += 1) {
    const repository = `${ORGANIZATION}/service-${String(index).padStart(3, "0")}`;
    const pushed = await pushSyntheticImage(registry, repository, "1.0", credentials, { dataBytes: layerMib * 1024 * 1024, files: 4, packages: packageCount });
    images.push({ repository, digest: pushed.manifestDigest });
  }
  const sync = await syncOrganization(prisma, testRegistrySource(registry.url, credentials), ORGANIZATION, { analyzeLater: async () => {} });
  console.log(`pushed and synced ${imageCount} images of one ${layerMib} MiB layer in ${seconds(performance.now() - pushStarted)} (sync ${sync.status})`);

  const results: { workers: number; ms: number }[] = [];
  for (const count of workerCounts) {
    await prisma.$transaction([prisma.imagePackage.deleteMany(), prisma.imageAnalysis.deleteMany(), prisma.layerAnalysis.deleteMany()]);
    const workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess()));
    try {
      const started = performance.now();
      for (const image of images) await boss.send(jobNames.analyzeImage, { repository: image.repository, digest: image.digest }, { singletonKey: image.digest });
      while ((await prisma.imageAnalysis.count({ where: { status: { in: ["ANALYSED", "FAILED"] } } })) < imageCount) await sleep(100);
      const ms = performance.now() - started;
      const failed = await prisma.imageAnalysis.count({ where: { status: "FAILED" } });
      if (failed > 0) throw new Error(`${failed} analyses failed with ${count} workers; run with LOG_LEVEL=info to see why`);
      results.push({ workers: count, ms });
    } finally {
      await Promise.all(workers.map(stopWorkerProcess));
    }
  }

  const baseline = results[0]!;
  console.log(`\n${imageCount} unique layers of ${layerMib} MiB data and ${packageCount} dpkg packages; the baseline is ${baseline.workers} worker`);
  console.log("workers | time | layers per minute | speed-up over the baseline");
  for (const { workers, ms } of results) {
    console.log(`${workers} | ${seconds(ms)} | ${((imageCount * 60_000) / ms).toFixed(1)} | ${(baseline.ms / ms).toFixed(2)}`);
  }
} finally {
  await boss.stop({ graceful: false, wait: true });
  await prisma.$disconnect();
  await registry.stop();
  await database.stop();
}

/**
 * Starts `shipshape worker` on the benchmark's database and registry and resolves
 * once it logs that it started. Its scheduled sync is of an organization with no
 * repositories, so the worker only runs the analysis jobs it is given.
 */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repositoryRoot, "bin/shipshape.ts"), "worker"], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REGISTRY_URL: registry.url,
      REGISTRY_ORG: "idle",
      REGISTRY_USERNAME: credentials.username,
      REGISTRY_PASSWORD: credentials.password,
      REGISTRY_INSECURE: "true",
      WORKER_CONCURRENCY: "1",
      SYNC_INTERVAL_MINUTES: "1440",
      BASE_IMAGE_REGISTRIES: "",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"worker started"')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`a worker exited with code ${code} before it started`)));
  });
  child.stdout!.resume();
  return child;
}

async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
