// Child process of the analysis benchmark. It receives one request over IPC,
// runs one measured step on one stored image, and sends back the step's wall
// time and the process's peak resident set size (VmHWM), so each step's memory
// is measured alone. Steps:
// - "idle": load the analyser and run one query, which is the fixed cost of a worker
//   (every step loads the analyser before its timer starts);
// - "decompress": fetch each layer blob and gunzip it, discarding the bytes;
// - "read-tar": the same through the analyser's layer reader, requesting no file;
// - "analyse": analyzeImage, as the worker runs it.
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

export type WorkerMode = "idle" | "decompress" | "read-tar" | "analyse";

export interface WorkerRequest {
  mode: WorkerMode;
  registryUrl: string;
  username: string;
  password: string;
  repository: string;
  imageDigest: string;
}

export interface WorkerResult {
  ms: number;
  /** CPU time of the step on all the worker's threads (user plus system), in milliseconds. */
  cpuMs: number;
  /** Peak resident set size of the worker process over its whole life, in bytes. */
  peakRssBytes: number;
  /** Decompressed bytes, for "decompress" and "read-tar". */
  uncompressedBytes?: number;
  /** For "analyse". */
  status?: string;
  reason?: string;
  packageCount?: number;
  problemCount?: number;
  blobFetches?: number;
}

process.once("message", (message: WorkerRequest) => {
  runStep(message).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

async function runStep(request: WorkerRequest): Promise<WorkerResult> {
  const { getPrisma } = await import("@/lib/db");
  const { testRegistrySource } = await import("@/lib/sync/testing/test-registry-source");
  const prisma = getPrisma();
  const source = testRegistrySource(request.registryUrl, { username: request.username, password: request.password });
  const layers = await prisma.imageLayer.findMany({ where: { imageDigest: request.imageDigest }, orderBy: { position: "asc" }, include: { layer: true } });
  // A worker loads its modules once, not per image, so loading (and tsx's transpiling) is left out of the timed step.
  const { analyzeImage } = await import("@/lib/analysis/analyze-image");
  const { GUNZIP_CHUNK_BYTES, readLayer } = await import("@/lib/analysis/layer-reader");

  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result: Omit<WorkerResult, "ms" | "cpuMs" | "peakRssBytes"> = {};
  if (request.mode === "idle") {
    // Loading the analyser above is the idle worker's whole cost.
  } else if (request.mode === "decompress") {
    let total = 0;
    for (const { layer } of layers) {
      const blob = await source.openBlob(request.repository, layer.digest, { size: Number(layer.size) });
      // The same output chunk size as the analyser's, which also makes this loop faster than Node's default.
      for await (const chunk of Readable.fromWeb(blob.stream as Parameters<typeof Readable.fromWeb>[0]).pipe(createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }))) {
        total += (chunk as Buffer).byteLength;
      }
    }
    result.uncompressedBytes = total;
  } else if (request.mode === "read-tar") {
    let total = 0;
    for (const { layer } of layers) {
      const blob = await source.openBlob(request.repository, layer.digest, { size: Number(layer.size) });
      const contents = await readLayer(blob.stream, {
        digest: layer.digest,
        mediaType: layer.mediaType,
        sourceVerifiesDigest: true,
        wants: () => false,
        maxFileBytes: () => 0,
      });
      total += contents.uncompressedBytes;
    }
    result.uncompressedBytes = total;
  } else {
    const analysis = await analyzeImage(prisma, source, request.repository, request.imageDigest);
    result.status = analysis.status;
    result.blobFetches = analysis.blobFetches;
    if (analysis.status === "ANALYSED") {
      result.packageCount = analysis.packageCount;
      result.problemCount = analysis.problems.length;
    } else {
      result.reason = analysis.reason;
    }
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  await prisma.$disconnect();
  return { ms, cpuMs, peakRssBytes: await readPeakRss(), ...result };
}

/** Reads VmHWM, the peak resident set size, from /proc/self/status (Linux; reported in kB). */
async function readPeakRss(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8");
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error("/proc/self/status has no VmHWM line; peak memory can only be read on Linux.");
  return Number(match[1]) * 1024;
}
