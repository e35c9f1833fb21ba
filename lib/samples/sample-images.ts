import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import {
  buildImage,
  buildIndex,
  buildLayer,
  type AttestationLayout,
  type BuiltImage,
  type BuiltIndex,
  type HistoryEntry,
  type Layer,
  type Platform,
} from "@/lib/samples/image-builder";
import type { ProvenanceInput } from "@/lib/samples/provenance-statement";
import { addSampleTag, createSampleSet, type SampleSet } from "@/lib/samples/sample-set";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

export type { SampleSet, SampleTag } from "@/lib/samples/sample-set";

/** Organization of every sample repository. */
export const SAMPLE_ORGANIZATION = "demo";

const AMD64: Platform = { os: "linux", architecture: "amd64" };
const ARM64: Platform = { os: "linux", architecture: "arm64", variant: "v8" };

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const WEB_CMD = ["node", "/app/server.js"];
const DEBIAN_BASE_CREATED = "2025-05-20T00:00:00Z";
const ALPINE_BASE_CREATED = "2017-01-10T00:00:00Z";
const BUILDKIT_COMMENT = "buildkit.dockerfile.v0";
const VCS_SOURCE = "https://git.example.org/demo/web";

interface SampleLayers {
  debian: Layer;
  alpine: Layer;
  app: Layer;
  dpkgStatus: string;
}

/**
 * Builds the demo organization's images from the root filesystems in
 * `testdata/`, each tag pushed after the previous one:
 *
 * | tag | built as | grading facts |
 * |---|---|---|
 * | `demo/web:1.0` | OCI manifest, linux/amd64 | `User` unset (root), no attestations |
 * | `demo/web:1.1` | OCI index, amd64 + attestations in the image-config layout | `User` 10001:10001, SBOM and max-mode provenance |
 * | `demo/web:1.2-rc` | OCI index, amd64 + attestations in the oci-artifact layout | `User` 10001:10001, SBOM and min-mode provenance |
 * | `demo/alpine-tools:3.4` | Docker schema 2 manifest, Alpine 3.4 | `User` root, base image given by OCI labels |
 * | `demo/multi-arch:latest` | OCI index, amd64 and arm64/v8 + oci-artifact attestations | amd64 `User` nobody, arm64 `User` unset |
 * | `demo/worker:2.0`, `demo/worker:2.1` | OCI manifests, 2.1 pushed later | `User` app; npm packages that advisories in `lib/advisories/testdata/osv` affect (2.0) or no longer affect (2.1) |
 *
 * The Debian-based images are built on an untagged `debian:12-slim` stand-in
 * made of the Debian layer alone. Provenance names it as the base image with
 * its digest, which is not the digest of Docker Hub's `debian:12-slim`.
 */
export async function buildSampleImages(): Promise<SampleSet> {
  const layers = await loadSampleLayers();
  const set = createSampleSet();
  const repository = (name: string) => `${SAMPLE_ORGANIZATION}/${name}`;

  addSampleTag(set, repository("web"), "1.0", buildWebImage(layers, AMD64, "2025-06-02T09:00:00Z", undefined));

  addSampleTag(
    set,
    repository("web"),
    "1.1",
    buildAttestedWebIndex(layers, {
      tag: "1.1",
      created: "2025-07-01T09:00:00Z",
      platforms: [{ platform: AMD64, user: "10001:10001" }],
      provenanceMode: "max",
      layout: "image-config",
    }),
  );

  addSampleTag(
    set,
    repository("web"),
    "1.2-rc",
    buildAttestedWebIndex(layers, {
      tag: "1.2-rc",
      created: "2025-08-05T09:00:00Z",
      platforms: [{ platform: AMD64, user: "10001:10001" }],
      provenanceMode: "min",
      layout: "oci-artifact",
    }),
  );

  addSampleTag(set, repository("alpine-tools"), "3.4", buildAlpineToolsImage(layers, "2025-08-20T09:00:00Z"));

  // NOTE: the arm64 image reuses the amd64 Debian layer, so its dpkg database
  // and SBOM list amd64 packages; no arm64 package database is committed.
  addSampleTag(
    set,
    repository("multi-arch"),
    "latest",
    buildAttestedWebIndex(layers, {
      tag: "latest",
      repositoryName: "multi-arch",
      created: "2025-09-01T09:00:00Z",
      platforms: [
        { platform: AMD64, user: "nobody" },
        { platform: ARM64, user: undefined },
      ],
      provenanceMode: "max",
      layout: "oci-artifact",
    }),
  );

  addSampleTag(set, repository("worker"), "2.0", await buildWorkerImage(layers, "2.0", "2025-09-15T09:00:00Z"));
  addSampleTag(set, repository("worker"), "2.1", await buildWorkerImage(layers, "2.1", "2025-10-20T09:00:00Z"));

  return set;
}

async function loadSampleLayers(): Promise<SampleLayers> {
  return {
    debian: await buildLayer(join(SAMPLES_TESTDATA_DIR, "debian-12")),
    alpine: await buildLayer(join(SAMPLES_TESTDATA_DIR, "alpine")),
    app: await buildLayer(join(SAMPLES_TESTDATA_DIR, "app-layer")),
    dpkgStatus: await readFile(join(SAMPLES_TESTDATA_DIR, "debian-12", "var", "lib", "dpkg", "status"), "utf8"),
  };
}

function buildDebianBase(layers: SampleLayers, platform: Platform): BuiltImage {
  return buildImage({
    layers: [layers.debian],
    config: {
      ...platform,
      created: DEBIAN_BASE_CREATED,
      env: [PATH_ENV],
      cmd: ["bash"],
      history: debianBaseHistory(),
    },
    mediaTypes: "oci",
  });
}

function debianBaseHistory(): HistoryEntry[] {
  return [
    { created: DEBIAN_BASE_CREATED, createdBy: "ADD debian-12-rootfs.tar / # buildkit", comment: BUILDKIT_COMMENT },
    { created: DEBIAN_BASE_CREATED, createdBy: 'CMD ["bash"]', comment: BUILDKIT_COMMENT, emptyLayer: true },
  ];
}

function webDockerfile(user: string | undefined): string {
  return [
    "FROM debian:12-slim",
    "COPY app/ /app/",
    ...(user === undefined ? [] : [`USER ${user}`]),
    `CMD ${JSON.stringify(WEB_CMD)}`,
    "",
  ].join("\n");
}

function buildWebImage(layers: SampleLayers, platform: Platform, created: string, user: string | undefined): BuiltImage {
  const history: HistoryEntry[] = [
    ...debianBaseHistory(),
    { created, createdBy: "COPY app/ /app/ # buildkit", comment: BUILDKIT_COMMENT },
    ...(user === undefined ? [] : [{ created, createdBy: `USER ${user}`, comment: BUILDKIT_COMMENT, emptyLayer: true }]),
    { created, createdBy: `CMD ${JSON.stringify(WEB_CMD)}`, comment: BUILDKIT_COMMENT, emptyLayer: true },
  ];

  return buildImage({
    layers: [layers.debian, layers.app],
    config: {
      ...platform,
      created,
      ...(user === undefined ? {} : { user }),
      env: [PATH_ENV],
      cmd: WEB_CMD,
      labels: { "org.opencontainers.image.source": VCS_SOURCE },
      history,
    },
    mediaTypes: "oci",
  });
}

interface AttestedWebOptions {
  tag: string;
  /** Repository name inside the organization; default `web`. */
  repositoryName?: string;
  created: string;
  platforms: { platform: Platform; user: string | undefined }[];
  provenanceMode: ProvenanceInput["mode"];
  layout: AttestationLayout;
}

function buildAttestedWebIndex(layers: SampleLayers, options: AttestedWebOptions): BuiltIndex {
  const repositoryName = options.repositoryName ?? "web";
  const started = new Date(Date.parse(options.created) - 60_000).toISOString();

  const entries = options.platforms.map(({ platform, user }) => {
    const base = buildDebianBase(layers, platform);
    const image = buildWebImage(layers, platform, options.created, user);
    const provenance: ProvenanceInput = {
      mode: options.provenanceMode,
      builderId: `https://ci.example.org/demo/${repositoryName}/builds/${options.tag}`,
      invocationId: `demo-${repositoryName}-${options.tag}-${platform.architecture}`,
      startedOn: started,
      finishedOn: options.created,
      dockerfile: webDockerfile(user),
      buildArgs: { VERSION: options.tag },
      baseImage: { name: "debian", tag: "12-slim", digest: base.manifest.digest, layerCount: 1 },
      vcs: { source: VCS_SOURCE, revision: sampleRevision(`${repositoryName} ${options.tag}`) },
    };

    return {
      image,
      attestations: {
        sbom: { dpkgStatus: layers.dpkgStatus, distro: { id: "debian", versionId: "12" }, created: options.created },
        provenance,
      },
    };
  });

  return buildIndex(entries, {
    mediaTypes: "oci",
    reference: { repository: `${SAMPLE_ORGANIZATION}/${repositoryName}`, tag: options.tag },
    attestationLayout: options.layout,
  });
}

// A 40-digit hex stand-in for the git commit a sample was built from.
function sampleRevision(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

/**
 * Alpine 3.4 image in Docker schema 2 media types, with history in the form
 * the classic Docker builder writes. The OCI base-image labels name
 * `alpine:3.4` with the digest of an image made of the Alpine layer alone.
 */
function buildAlpineToolsImage(layers: SampleLayers, created: string): BuiltImage {
  const alpineBaseHistory: HistoryEntry[] = [
    { created: ALPINE_BASE_CREATED, createdBy: `/bin/sh -c #(nop) ADD file:${layers.alpine.diffId.slice("sha256:".length)} in / ` },
    { created: ALPINE_BASE_CREATED, createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', emptyLayer: true },
  ];
  const base = buildImage({
    layers: [layers.alpine],
    config: { ...AMD64, created: ALPINE_BASE_CREATED, env: [PATH_ENV], cmd: ["/bin/sh"], history: alpineBaseHistory },
    mediaTypes: "docker",
  });

  return buildImage({
    layers: [layers.alpine],
    config: {
      ...AMD64,
      created,
      user: "root",
      env: [PATH_ENV],
      cmd: ["/bin/sh"],
      labels: {
        "org.opencontainers.image.base.digest": base.manifest.digest,
        "org.opencontainers.image.base.name": "docker.io/library/alpine:3.4",
      },
      history: [
        ...alpineBaseHistory,
        { created, createdBy: "/bin/sh -c #(nop)  USER root", emptyLayer: true },
        {
          created,
          createdBy: `/bin/sh -c #(nop)  LABEL org.opencontainers.image.base.digest=${base.manifest.digest} org.opencontainers.image.base.name=docker.io/library/alpine:3.4`,
          emptyLayer: true,
        },
      ],
    },
    mediaTypes: "docker",
  });
}

interface SampleNpmPackage {
  name: string;
  version: string;
  license: string;
}

/**
 * npm packages installed in each worker version, written as package.json files
 * that carry only the name, version and license. Real OSV records in
 * `lib/advisories/testdata/osv/npm` affect two of 2.0's: mixin-deep 1.3.1
 * (GHSA-fhjf-83wg-r2j9, CVE-2019-10746, fixed in 1.3.2) and marky-markdown
 * (GHSA-pxmp-fwjc-4x7q, no fixed version). Neither record rates its severity,
 * so the findings are "unspecified" and fail no default policy. 2.1 updates
 * mixin-deep and drops marky-markdown.
 */
const WORKER_NPM_PACKAGES: Record<string, SampleNpmPackage[]> = {
  "2.0": [
    { name: "marky-markdown", version: "11.3.5", license: "ISC" },
    { name: "mixin-deep", version: "1.3.1", license: "MIT" },
  ],
  "2.1": [{ name: "mixin-deep", version: "1.3.2", license: "MIT" }],
};

async function buildWorkerImage(layers: SampleLayers, version: string, created: string): Promise<BuiltImage> {
  const npmPackages = WORKER_NPM_PACKAGES[version] ?? [];
  const workerLayer = await buildLayer([
    {
      path: "app/worker.js",
      content: `// demo/worker ${version}: a sample process that stays idle.\nsetInterval(() => {}, 60_000);\n`,
    },
    ...npmPackages.map((pkg) => ({
      path: `app/node_modules/${pkg.name}/package.json`,
      content: `${JSON.stringify({ name: pkg.name, version: pkg.version, license: pkg.license }, null, 2)}\n`,
    })),
  ]);

  return buildImage({
    layers: [layers.debian, workerLayer],
    config: {
      ...AMD64,
      created,
      user: "app",
      env: [PATH_ENV, `WORKER_VERSION=${version}`],
      cmd: ["node", "/app/worker.js"],
      history: [
        ...debianBaseHistory(),
        { created, createdBy: `ENV WORKER_VERSION=${version}`, comment: BUILDKIT_COMMENT, emptyLayer: true },
        { created, createdBy: "COPY . /app/ # buildkit", comment: BUILDKIT_COMMENT },
        { created, createdBy: "USER app", comment: BUILDKIT_COMMENT, emptyLayer: true },
        { created, createdBy: 'CMD ["node","/app/worker.js"]', comment: BUILDKIT_COMMENT, emptyLayer: true },
      ],
    },
    mediaTypes: "oci",
  });
}
