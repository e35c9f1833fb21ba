import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

import { parseProvenance, parseProvenancePredicate, parseSpdxPredicate, readStatement, SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1, SPDX_DOCUMENT_PREDICATE, type Provenance } from "@/lib/analysis/attestation-predicates";
import { detectBaseImage } from "@/lib/analysis/base-image";
import { analyseLayers, type FuzzLayer } from "@/lib/analysis/fuzz/analyse-layers";
import { concat, hostileCompressedLayers, hostileTarLayers, writeRawTar, type RawTarEntry } from "@/lib/analysis/fuzz/hostile-tar";
import { hostileJars } from "@/lib/analysis/fuzz/hostile-zip";
import { mutateBytes, mutateJson, type Mutation } from "@/lib/analysis/fuzz/mutate";
import type { Random } from "@/lib/analysis/fuzz/random";
import { debianLayerTar, documentSeeds, packageDatabaseSeeds, type Seed } from "@/lib/analysis/fuzz/seeds";
import { AppError } from "@/lib/errors";
import { MediaType, parseImageConfig, parseManifest } from "@/lib/registry/manifest";

/** One input fed to the analyser. */
export interface FuzzCase {
  name: string;
  bytes: Uint8Array;
  /** In-image path of a package database case. */
  path?: string;
  /** Content-Type a registry sent with a manifest case. */
  contentType?: string | null;
  /** A layer that a layer case goes on top of, between the healthy base layer and the case. */
  lower?: Uint8Array;
}

export interface InputClass {
  name: string;
  /** Hand-made hostile cases, run before the generated ones. */
  fixedCases(): FuzzCase[];
  /** Generates one case from the class's seeds. */
  generate(random: Random): FuzzCase;
  /** Feeds a case to the analyser's entry point and returns the faults seen, empty when the input was handled. */
  run(fuzzCase: FuzzCase): Promise<string[]>;
}

const encoder = new TextEncoder();

/** A package that the lower layer of every layer case holds, so a case shows whether the rest of the image was still analysed. */
const HEALTHY_PACKAGE = { name: "healthy-fuzz-witness", version: "1.2.3" };
const HEALTHY_PACKAGE_PATH = "/opt/witness/node_modules/healthy-fuzz-witness/package.json";
const BASE_LAYER = toLayer(
  writeRawTar([
    { name: "etc/os-release", type: "0", content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
    { name: HEALTHY_PACKAGE_PATH.slice(1), type: "0", content: JSON.stringify({ ...HEALTHY_PACKAGE, license: "MIT" }) },
  ]),
);

/** Layer reader errors that stop one image with a clear reason; anything else escaping is a fault. */
const LAYER_ERROR_CODES = ["INVALID_INPUT", "TOO_LARGE"];

function toLayer(bytes: Uint8Array): FuzzLayer {
  return { digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, bytes };
}

/**
 * Analyses a healthy lower layer and the case's layer above it. Faults: an
 * error other than the reader's INVALID_INPUT or TOO_LARGE, a problem without
 * its file or layer, or a lost healthy package although the case layer was read.
 */
async function runLayerCase(caseBytes: Uint8Array, lowerBytes?: Uint8Array): Promise<string[]> {
  const caseLayer = toLayer(caseBytes);
  const lowerLayers = lowerBytes === undefined ? [] : [toLayer(lowerBytes)];
  let result: Awaited<ReturnType<typeof analyseLayers>>;
  try {
    result = await analyseLayers([BASE_LAYER, ...lowerLayers, caseLayer]);
  } catch (error) {
    if (error instanceof AppError && LAYER_ERROR_CODES.includes(error.code)) {
      return error.message.includes(caseLayer.digest) ? [] : [`layer error does not name the layer: ${error.message}`];
    }
    return [`analysis raised ${describeError(error)}`];
  }

  const faults: string[] = [];
  const digests = new Set([BASE_LAYER.digest, ...lowerLayers.map((layer) => layer.digest), caseLayer.digest]);
  for (const problem of result.problems) {
    if (typeof problem.path !== "string" || problem.path === "") faults.push(`problem without a file: ${JSON.stringify(problem).slice(0, 300)}`);
    if (typeof problem.message !== "string" || problem.message === "") faults.push(`problem without a message at ${problem.path}`);
    if (problem.layerDigest === null || !digests.has(problem.layerDigest)) faults.push(`problem without its layer at ${problem.path}: ${problem.message.slice(0, 200)}`);
  }
  const witness = result.packages.find((pkg) => pkg.name === HEALTHY_PACKAGE.name && pkg.version === HEALTHY_PACKAGE.version);
  if (witness === undefined || witness.layerDigest !== BASE_LAYER.digest) faults.push("the healthy package of the lower layer was lost");
  for (const pkg of result.packages) {
    if (typeof pkg.name !== "string" || typeof pkg.version !== "string" || typeof pkg.purl !== "string") faults.push(`package with a non-string field: ${JSON.stringify(pkg).slice(0, 300)}`);
  }
  return faults;
}

function packageDatabaseClass(name: string): InputClass {
  let seeds: Seed[] | null = null;
  const loadSeeds = () => (seeds ??= packageDatabaseSeeds[name]!());
  return {
    name,
    fixedCases: () => [
      ...loadSeeds().map((seed) => ({ name: `seed ${seed.name}`, bytes: seed.bytes, path: seed.path })),
      ...(name === "java" ? hostileJars().map((jar) => ({ name: jar.name, bytes: jar.bytes, path: `/app/lib/${jar.name}.jar` })) : []),
    ],
    generate(random) {
      const seed = random.pick(loadSeeds());
      const document = seed.path.endsWith(".json") ? parseJsonOrNull(seed.bytes) : null;
      const mutation = document !== null && random.next() < 0.5 ? mutateJson(random, document) : mutateBytes(random, seed.bytes);
      return { name: `${seed.name} ${mutation.name}`, bytes: mutation.bytes, path: seed.path };
    },
    run: (fuzzCase) => runLayerCase(writeRawTar([{ name: fuzzCase.path!.slice(1), type: "0", content: fuzzCase.bytes }])),
  };
}

let seedTarsCache: { name: string; bytes: Uint8Array }[] | null = null;

/** Returns the plain tar layers to mutate: the committed Debian layer and one layer with a seed of every package database. */
function seedTars(): { name: string; bytes: Uint8Array }[] {
  if (seedTarsCache) return seedTarsCache;
  const small = Object.entries(packageDatabaseSeeds)
    .filter(([name]) => !["go-binary", "cargo-auditable", "rpm-sqlite"].includes(name))
    .map(([, load]) => load()[0]!)
    .filter((seed) => seed.bytes.length < 64 * 1024);
  const entries: RawTarEntry[] = [
    { name: "usr/lib/os-release", type: "0", content: "ID=alpine\nVERSION_ID=3.20.3\n" },
    { name: "etc/os-release", type: "2", linkname: "../usr/lib/os-release" },
    ...small.map((seed) => ({ name: seed.path.slice(1), type: "0", content: seed.bytes })),
    { name: "usr/lib/python3/site-packages/hard.dist-info/METADATA", type: "1", linkname: small.find((seed) => seed.path.endsWith("METADATA"))!.path.slice(1) },
  ];
  seedTarsCache = [
    { name: "debian-os-release.tar", bytes: debianLayerTar() },
    { name: "package-databases.tar", bytes: writeRawTar(entries) },
  ];
  return seedTarsCache;
}

/** Header fields of a ustar header: offset and length. */
const TAR_FIELDS: Record<string, [number, number]> = { name: [0, 100], mode: [100, 8], size: [124, 12], typeflag: [156, 1], linkname: [157, 100], magic: [257, 8], prefix: [345, 155] };

/** Rewrites one header field of one entry and, usually, fixes the checksum so the reader goes past it. */
function mutateTarHeader(random: Random, tar: Uint8Array): Mutation {
  const headers: number[] = [];
  for (let offset = 0; offset + 512 <= tar.length; offset += 512) {
    if (tar[offset + 257] === 0x75 && tar[offset + 258] === 0x73) headers.push(offset);
  }
  if (headers.length === 0) return mutateBytes(random, tar);
  const output = tar.slice();
  const header = random.pick(headers);
  const fieldName = random.pick(Object.keys(TAR_FIELDS));
  const [offset, length] = TAR_FIELDS[fieldName]!;
  const values = ["77777777777\0", "\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", "../../../../x\0", "xLKSgx7123456\0", `${"a/".repeat(60)}\0`, "\0", "-1\0", " 1 \0"];
  const value = encoder.encode(random.pick(values));
  output.fill(0, header + offset, header + offset + length);
  output.set(value.subarray(0, length), header + offset);
  if (random.next() < 0.8) {
    output.fill(0x20, header + 148, header + 156);
    let sum = 0;
    for (let index = header; index < header + 512; index += 1) sum += output[index]!;
    output.set(encoder.encode(`${sum.toString(8).padStart(6, "0")}\0 `), header + 148);
  }
  return { name: `tar-header ${fieldName}`, bytes: output };
}

const tarClass: InputClass = {
  name: "tar",
  fixedCases: () => hostileTarLayers(),
  generate(random) {
    const seed = random.pick(seedTars());
    const mutation = random.next() < 0.5 ? mutateTarHeader(random, seed.bytes) : mutateBytes(random, seed.bytes);
    return { name: `${seed.name} ${mutation.name}`, bytes: mutation.bytes };
  },
  run: (fuzzCase) => runLayerCase(fuzzCase.bytes, fuzzCase.lower),
};

const gzipClass: InputClass = {
  name: "gzip",
  fixedCases: () => hostileCompressedLayers(seedTars()[1]!.bytes).filter((layer) => layer.name.startsWith("gzip")),
  generate(random) {
    const seed = random.pick(seedTars());
    // Half the cases corrupt the compressed bytes, half compress a corrupt tar.
    if (random.next() < 0.5) {
      const mutation = mutateBytes(random, gzipSync(seed.bytes));
      return { name: `${seed.name}.gz ${mutation.name}`, bytes: mutation.bytes };
    }
    const mutation = mutateTarHeader(random, seed.bytes);
    return { name: `gzip(${seed.name} ${mutation.name})`, bytes: gzipSync(mutation.bytes) };
  },
  run: (fuzzCase) => runLayerCase(fuzzCase.bytes),
};

/** Wraps bytes in a zstd frame of raw (stored) blocks, which gives the decoder valid input to corrupt without a zstd encoder. */
export function zstdStoredFrame(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38)];
  const blockBytes = 128 * 1024;
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += blockBytes) {
    const block = bytes.subarray(offset, offset + blockBytes);
    const last = offset + blockBytes >= bytes.length;
    const header = (last ? 1 : 0) | (block.length << 3);
    parts.push(Uint8Array.of(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff), block);
  }
  return concat(parts);
}

const zstdClass: InputClass = {
  name: "zstd",
  fixedCases: () => hostileCompressedLayers(seedTars()[1]!.bytes).filter((layer) => layer.name.startsWith("zstd")),
  generate(random) {
    const seed = random.pick(seedTars());
    const mutation = random.next() < 0.5 ? mutateBytes(random, zstdStoredFrame(seed.bytes)) : mutateTarHeader(random, seed.bytes);
    return { name: `zstd(${seed.name}) ${mutation.name}`, bytes: mutation.name.startsWith("tar-header") ? zstdStoredFrame(mutation.bytes) : mutation.bytes };
  },
  run: (fuzzCase) => runLayerCase(fuzzCase.bytes),
};

/**
 * Builds a class of JSON documents: generated cases replace a node with a hostile
 * fragment or mutate the serialised bytes.
 */
function documentClass(name: string, run: (fuzzCase: FuzzCase) => string[], contentTypes: readonly (string | null)[] = [null]): InputClass {
  let seeds: unknown[] | null = null;
  const loadSeeds = () => (seeds ??= documentSeeds[name]!());
  return {
    name,
    fixedCases: () => [
      ...loadSeeds().map((seed, index) => ({ name: `seed ${index}`, bytes: encoder.encode(JSON.stringify(seed)), contentType: contentTypes[0] ?? null })),
      ...Object.entries(hostileDocuments[name] ?? {}).map(([caseName, text]) => ({ name: caseName, bytes: encoder.encode(text), contentType: contentTypes[0] ?? null })),
    ],
    generate(random) {
      const seed = random.pick(loadSeeds());
      const mutation = isEnvelope(seed) && random.next() < 0.5 ? mutateEnvelopePayload(random, seed) : mutateDocument(random, seed);
      return { name: mutation.name, bytes: mutation.bytes, contentType: random.pick(contentTypes) };
    },
    run: async (fuzzCase) => run(fuzzCase),
  };
}

const hugeDigest = `sha256:${"a".repeat(64)}`;
const layerDescriptor = { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: hugeDigest, size: 1 };

/** Hand-made documents by class: shapes a registry or an attacker could send that a seed mutation rarely reaches. */
const hostileDocuments: Record<string, Record<string, string>> = {
  "manifest": {
    "100k-layers": JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { ...layerDescriptor, mediaType: "application/vnd.oci.image.config.v1+json" }, layers: Array.from({ length: 100_000 }, () => layerDescriptor) }),
    "size-beyond-safe-integer": JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: hugeDigest, size: 0 }] }).replace('"size":0', '"size":18446744073709551616'),
    "negative-size": JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: hugeDigest, size: -1 }] }),
    "digest-traversal": JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: "sha256:../../../etc/passwd", size: 1 }] }),
    "prototype-keys": '{"__proto__":{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]},"schemaVersion":2,"constructor":{"prototype":{"x":1}}}',
    "schema-version-string": JSON.stringify({ schemaVersion: "2", mediaType: MediaType.ociIndex, manifests: [] }),
    "bom-prefixed": `\ufeff${JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] })}`,
  },
  "image-config": {
    "labels-prototype": '{"architecture":"amd64","os":"linux","config":{"Labels":{"__proto__":{"org.opencontainers.image.base.name":"evil"}}},"rootfs":{"type":"layers","diff_ids":[]}}',
    "labels-not-strings": '{"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.base.name":["a"],"org.opencontainers.image.base.digest":{"x":1}}}}',
    "base-name-hostile": '{"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.base.name":"UPPER/../x:tag@sha256:zz","org.opencontainers.image.base.digest":"sha256:../../x"}}}',
    "100k-diff-ids": JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: Array.from({ length: 100_000 }, () => hugeDigest) } }),
  },
};

function mutateDocument(random: Random, document: unknown): Mutation {
  if (random.next() < 0.6) return mutateJson(random, document);
  return mutateBytes(random, encoder.encode(JSON.stringify(document, null, random.next() < 0.5 ? 2 : 0)));
}

function isEnvelope(document: unknown): document is { payload: string; payloadType: string } {
  return typeof document === "object" && document !== null && typeof (document as { payload?: unknown }).payload === "string";
}

/** Mutates the statement inside a DSSE envelope and encodes it again, so the mutation reaches past the base64 layer. */
function mutateEnvelopePayload(random: Random, envelope: { payload: string; payloadType: string }): Mutation {
  const statement = parseJsonOrNull(Buffer.from(envelope.payload, "base64"));
  const inner = mutateDocument(random, statement);
  const payload = Buffer.from(inner.bytes).toString(random.next() < 0.8 ? "base64" : "base64url");
  return { name: `envelope payload ${inner.name}`, bytes: encoder.encode(JSON.stringify({ ...envelope, payload })) };
}

const where = { repository: "fuzz/image", digest: `sha256:${"f".repeat(64)}` };

/** Runs `parse`, treating the listed AppError codes as handled input and any other error as a fault. */
function expectHandled(parse: () => void, codes: readonly string[]): string[] {
  try {
    parse();
    return [];
  } catch (error) {
    if (error instanceof AppError && codes.includes(error.code)) return [];
    return [`raised ${describeError(error)}`];
  }
}

const manifestClass = documentClass(
  "manifest",
  (fuzzCase) =>
    expectHandled(() => {
      const manifest = parseManifest(fuzzCase.bytes, fuzzCase.contentType ?? null, where);
      // The sync reads these fields of every manifest it stores.
      const descriptors = manifest.kind === "index" ? manifest.manifests : [manifest.config, ...manifest.layers];
      for (const descriptor of descriptors) void [descriptor.digest.length, descriptor.size, descriptor.mediaType.length];
    }, ["MALFORMED_MANIFEST"]),
  [null, MediaType.ociManifest, MediaType.ociIndex, "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json", "application/json; charset=utf-8", "application/vnd.docker.distribution.manifest.v1+prettyjws", "text/plain"],
);

const imageConfigClass = documentClass("image-config", (fuzzCase) =>
  expectHandled(() => {
    const config = parseImageConfig(fuzzCase.bytes, where);
    checkBaseImage(null, config.config?.Labels ?? null, config.rootfs?.diff_ids ?? []);
  }, ["MALFORMED_MANIFEST"]),
);

/** Runs base image detection, which must not raise on anything a parsed document holds. */
function checkBaseImage(provenance: Provenance | null, labels: Record<string, string> | null, diffIds: readonly string[]): void {
  detectBaseImage({
    provenance,
    labels,
    annotations: labels,
    diffIds,
    layerDigests: diffIds,
    imageDigest: where.digest,
    knownImages: [{ reference: "docker.io/library/debian:12", digest: `sha256:${"d".repeat(64)}`, diffIds: diffIds.slice(0, 1) }],
  });
}

/** Mirrors how the sync reads an attestation layer: the statement, then the provenance or the SPDX predicate it carries. */
const inTotoStatementClass = documentClass("in-toto-statement", (fuzzCase) => {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(fuzzCase.bytes));
  } catch {
    return [];
  }
  return expectHandled(() => {
    const statement = readStatement(value);
    checkProblems(statement.problems);
    if (statement.predicateType === SLSA_PROVENANCE_V02 || statement.predicateType === SLSA_PROVENANCE_V1) {
      const provenance = parseProvenance(value);
      checkProblems(provenance.problems);
      checkBaseImage(provenance, null, []);
    } else if (statement.predicateType === SPDX_DOCUMENT_PREDICATE) {
      checkProblems(parseSpdxPredicate(statement.predicate).problems);
    }
  }, ["INVALID_INPUT"]);
});

const spdxPredicateClass = documentClass("spdx-predicate", (fuzzCase) =>
  expectHandled(() => checkProblems(parseSpdxPredicate(parseJsonOrNull(fuzzCase.bytes)).problems), ["INVALID_INPUT"]),
);

const slsaPredicateClass = documentClass("slsa-predicate", (fuzzCase) => {
  const value = parseJsonOrNull(fuzzCase.bytes);
  return [SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1].flatMap((predicateType) =>
    expectHandled(() => {
      const provenance = parseProvenancePredicate(predicateType, value);
      checkProblems(provenance.problems);
      checkBaseImage(provenance, null, []);
    }, ["INVALID_INPUT"]),
  );
});

class ProblemShapeError extends Error {}

function checkProblems(problems: readonly { path: string; message: string }[]): void {
  for (const problem of problems) {
    if (typeof problem.path !== "string" || typeof problem.message !== "string" || problem.message === "") {
      throw new ProblemShapeError(`problem without a path or message: ${JSON.stringify(problem).slice(0, 200)}`);
    }
  }
}

function parseJsonOrNull(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 300)}${error instanceof AppError ? ` (${error.code})` : ""}`;
  return String(error);
}

/** Every input class, in the order the fuzz run feeds them. */
export const inputClasses: readonly InputClass[] = [
  tarClass,
  gzipClass,
  zstdClass,
  manifestClass,
  imageConfigClass,
  inTotoStatementClass,
  spdxPredicateClass,
  slsaPredicateClass,
  ...Object.keys(packageDatabaseSeeds).map(packageDatabaseClass),
];
