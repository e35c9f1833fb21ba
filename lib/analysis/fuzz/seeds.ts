import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

import { decompress as zstdDecompress } from "fzstd";

/** A real input committed under testdata, placed where the analyser finds it in an image. */
export interface Seed {
  name: string;
  /** Absolute in-image path, for files that a cataloger reads. */
  path: string;
  bytes: Uint8Array;
}

const ANALYSIS_DIR = fileURLToPath(new URL("../", import.meta.url));
const TESTDATA = join(ANALYSIS_DIR, "testdata");
const CATALOGER_TESTDATA = join(ANALYSIS_DIR, "catalogers/testdata");

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Files under `root` whose path relative to a fixture folder is an in-image path (`<fixture>/var/lib/dpkg/status`). */
function imageTreeSeeds(root: string, accept: (imagePath: string) => boolean): Seed[] {
  const seeds: Seed[] = [];
  for (const fixture of readdirSync(root)) {
    const fixtureDir = join(root, fixture);
    if (!statSync(fixtureDir).isDirectory()) continue;
    for (const file of listFiles(fixtureDir)) {
      const imagePath = `/${relative(fixtureDir, file)}`;
      if (accept(imagePath)) seeds.push({ name: `${fixture}${imagePath}`, path: imagePath, bytes: read(file) });
    }
  }
  return seeds;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

/** Fixture files named `<name><extension>` in one folder, placed at `place(name)`. */
function folderSeeds(directory: string, accept: (fileName: string) => boolean, place: (fileName: string) => string): Seed[] {
  return readdirSync(directory)
    .filter(accept)
    .map((fileName) => ({ name: fileName, path: place(fileName), bytes: read(join(directory, fileName)) }));
}

/** Package database seeds by input class. */
export const packageDatabaseSeeds: Record<string, () => Seed[]> = {
  "dpkg": () => [
    ...imageTreeSeeds(join(TESTDATA, "dpkg"), (path) => path.startsWith("/var/lib/dpkg/")),
    ...imageTreeSeeds(join(TESTDATA, "dpkg-copyright"), (path) => path.endsWith("/copyright")),
  ],
  "apk": () => imageTreeSeeds(join(TESTDATA, "apk"), (path) => path === "/lib/apk/db/installed"),
  "rpm-berkeley-db": () => imageTreeSeeds(join(CATALOGER_TESTDATA, "rpm"), (path) => path.endsWith("/Packages")),
  "rpm-sqlite": () => imageTreeSeeds(join(CATALOGER_TESTDATA, "rpm"), (path) => path.endsWith("/rpmdb.sqlite")),
  "rpm-ndb": () => imageTreeSeeds(join(CATALOGER_TESTDATA, "rpm"), (path) => path.endsWith("/Packages.db")),
  "rpm-manifest": () => imageTreeSeeds(join(CATALOGER_TESTDATA, "rpm"), (path) => path.includes("/rpmmanifest/")),
  "python": () =>
    folderSeeds(
      join(CATALOGER_TESTDATA, "python"),
      (name) => /METADATA$|PKG-INFO$|egg-info$/.test(name),
      (name) => (name.endsWith("METADATA") ? `/usr/lib/python3/site-packages/${name.replace(/\.METADATA$/, "")}.dist-info/METADATA` : name.endsWith(".PKG-INFO") ? `/usr/lib/python3/site-packages/${name.replace(/\.PKG-INFO$/, "")}.egg-info/PKG-INFO` : `/usr/lib/python3/site-packages/${name}`),
    ),
  "npm": () =>
    folderSeeds(
      join(CATALOGER_TESTDATA, "npm"),
      (name) => name.endsWith(".json") && name !== "expected.json",
      (name) => `/app/node_modules/${name.replace(/\.json$/, "")}/package.json`,
    ),
  "go-binary": () => [
    ...folderSeeds(join(CATALOGER_TESTDATA, "go-binary"), (name) => !name.endsWith(".json") && !name.endsWith(".gz"), (name) => `/usr/local/bin/${name}`),
    { name: "test.elf", path: "/usr/local/bin/test", bytes: new Uint8Array(gunzipSync(readFileSync(join(CATALOGER_TESTDATA, "go-binary/test.elf.gz")))) },
  ],
  "java": () => folderSeeds(join(CATALOGER_TESTDATA, "java"), (name) => !name.endsWith(".json"), (name) => `/app/lib/${name}`),
  "ruby": () => folderSeeds(join(CATALOGER_TESTDATA, "ruby"), (name) => name.endsWith(".gemspec"), (name) => `/usr/local/bundle/specifications/${name}`),
  "cargo-auditable": () => folderSeeds(join(CATALOGER_TESTDATA, "rust"), (name) => name.endsWith(".elf"), (name) => `/usr/local/bin/${basename(name, ".elf")}`),
};

/** JSON documents that the sync reads from a registry, by input class. */
export const documentSeeds: Record<string, () => unknown[]> = {
  "manifest": () => [readJson(join(TESTDATA, "base-image/official-image-manifest.json")), ...inlineManifests],
  "image-config": () => [readJson(join(TESTDATA, "base-image/label-only-config.json")), inlineConfig],
  "in-toto-statement": () =>
    ["buildkit-multistage-v1-max", "slsa-v1-provenance-mode-max", "slsa-v1-provenance-mode-min", "zlabjp-statement-binary-provenance", "zlabjp-statement-container-provenance", "zlabjp-dsse-envelope-binary-provenance", "zlabjp-dsse-envelope-container-provenance"].map((name) =>
      readJson(join(TESTDATA, `attestations/${name}.json`)),
    ),
  "spdx-predicate": () => ["alpine-3.10.syft.spdx", "alpine-3.10.vendor.spdx"].map((name) => readJson(join(TESTDATA, `attestations/${name}.json`))),
  "slsa-predicate": () => [
    readJson(join(TESTDATA, "attestations/zlabjp-buildkit-slsa-v0.2-predicate.json")),
    (readJson(join(TESTDATA, "attestations/slsa-v1-provenance-mode-max.json")) as { predicate: unknown }).predicate,
  ],
};

/** The Debian layer committed for the layer reader's tests, as plain tar. */
export function debianLayerTar(): Uint8Array {
  return zstdDecompress(read(join(TESTDATA, "layers/debian-os-release.tar.zst")));
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

const digestA = `sha256:${"a".repeat(64)}`;
const digestB = `sha256:${"b".repeat(64)}`;

const inlineManifests: unknown[] = [
  {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: digestA, size: 500, platform: { os: "linux", architecture: "amd64" } },
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: digestB, size: 600, platform: { os: "unknown", architecture: "unknown" }, annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": digestA } },
    ],
    annotations: { "org.opencontainers.image.base.name": "docker.io/library/debian:12" },
  },
  {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: digestA, size: 1000 },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: digestB, size: 2000, urls: ["https://example.com/layer"] }],
  },
  {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
    manifests: [{ mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: digestA, size: 500, platform: { os: "linux", architecture: "arm", variant: "v7", features: ["sse4"] } }],
  },
];

const inlineConfig: unknown = {
  architecture: "amd64",
  os: "linux",
  created: "2024-05-01T00:00:00Z",
  config: { User: "app", Env: ["PATH=/usr/bin"], Labels: { "org.opencontainers.image.base.name": "debian:12", "org.opencontainers.image.base.digest": digestA }, ExposedPorts: { "80/tcp": {} } },
  rootfs: { type: "layers", diff_ids: [digestA, digestB] },
  history: [{ created: "2024-05-01T00:00:00Z", created_by: "/bin/sh -c #(nop) ADD file:1 in /" }, { empty_layer: true }],
};
