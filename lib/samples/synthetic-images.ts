import { createHash } from "node:crypto";
import { join } from "node:path";

import { AppError } from "@/lib/errors";
import { buildImage, buildLayer, type BuiltImage, type Layer } from "@/lib/samples/image-builder";
import { addSampleTag, createSampleSet, type SampleSet } from "@/lib/samples/sample-set";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

export interface SyntheticOrgOptions {
  /** Organization, the first component of every repository name. */
  org: string;
  repositories: number;
  tagsPerRepository: number;
  /** The same seed gives byte-identical images. */
  seed: number | string;
}

// Incompressible bytes per image, so each application layer stays near this size gzipped.
const PAYLOAD_BYTES = 2048;
const BASE_CREATED = "2024-12-01T00:00:00Z";
const FIRST_CREATED = Date.parse("2025-01-01T00:00:00Z");
const USERS = [undefined, "root", "0:0", "10001:10001", "app", "nobody"] as const;
const ORG_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/**
 * Builds `repositories` × `tagsPerRepository` single-platform OCI images for
 * benchmarks. All share the Debian 12 base layer from `testdata/debian-12`;
 * each adds one application layer of about 2 KiB gzipped with seeded content.
 * Repositories are `<org>/service-000`, `<org>/service-001` …, tags `1.0.0`,
 * `1.1.0` …, pushed repository by repository with later tags created later.
 * `User` cycles through unset, root, 0:0 and three non-root values so that
 * the images do not all grade alike.
 */
export async function buildSyntheticOrg(options: SyntheticOrgOptions): Promise<SampleSet> {
  validateOptions(options);

  const baseLayer = await buildLayer(join(SAMPLES_TESTDATA_DIR, "debian-12"));
  const set = createSampleSet();
  const width = Math.max(3, String(options.repositories - 1).length);

  for (let repositoryIndex = 0; repositoryIndex < options.repositories; repositoryIndex++) {
    const repository = `${options.org}/service-${String(repositoryIndex).padStart(width, "0")}`;

    for (let tagIndex = 0; tagIndex < options.tagsPerRepository; tagIndex++) {
      const tag = `1.${tagIndex}.0`;
      const seed = `${options.seed}/${repository}:${tag}`;
      const image = await buildSyntheticImage(baseLayer, seed, {
        repository,
        tag,
        created: new Date(FIRST_CREATED + set.tags.length * 60_000).toISOString(),
      });
      addSampleTag(set, repository, tag, image);
    }
  }

  return set;
}

async function buildSyntheticImage(
  baseLayer: Layer,
  seed: string,
  identity: { repository: string; tag: string; created: string },
): Promise<BuiltImage> {
  const payload = seededBytes(seed, PAYLOAD_BYTES);
  const appLayer = await buildLayer([
    { path: "app/build.json", content: JSON.stringify({ repository: identity.repository, version: identity.tag }) },
    { path: "app/payload.bin", content: payload },
  ]);
  const user = USERS[(payload[0] ?? 0) % USERS.length];

  return buildImage({
    layers: [baseLayer, appLayer],
    config: {
      os: "linux",
      architecture: "amd64",
      created: identity.created,
      ...(user === undefined ? {} : { user }),
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      cmd: ["/app/start"],
      labels: { "org.opencontainers.image.version": identity.tag },
      history: [
        { created: BASE_CREATED, createdBy: "ADD debian-12-rootfs.tar / # buildkit", comment: "buildkit.dockerfile.v0" },
        { created: identity.created, createdBy: "COPY app/ /app/ # buildkit", comment: "buildkit.dockerfile.v0" },
      ],
    },
    mediaTypes: "oci",
  });
}

// Expands `seed` into `length` bytes by hashing the seed with a block counter.
function seededBytes(seed: string, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0, block = 0; offset < length; block++) {
    const digest = createHash("sha256").update(`${seed}#${block}`).digest();
    const count = Math.min(digest.length, length - offset);
    bytes.set(digest.subarray(0, count), offset);
    offset += count;
  }
  return bytes;
}

function validateOptions(options: SyntheticOrgOptions): void {
  if (!ORG_NAME.test(options.org)) {
    throw new AppError("INVALID_INPUT", `Invalid organization "${options.org}": use lowercase letters and digits, optionally separated by ".", "_" or "-".`);
  }
  for (const field of ["repositories", "tagsPerRepository"] as const) {
    const value = options[field];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new AppError("INVALID_INPUT", `Invalid ${field} ${value}: use a whole number of at least 1.`);
    }
  }
}
