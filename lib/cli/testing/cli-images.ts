import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { pack } from "tar-stream";
import { alpineLayer } from "@/lib/grading/testing/alpine-images";
import { type AttestationInput, buildImage, buildLayer, type BuiltImage, type BuiltIndex } from "@/lib/samples/image-builder";
import { writeOciLayout } from "@/lib/samples/oci-layout";
import { addSampleTag, createSampleSet } from "@/lib/samples/sample-set";

const run = promisify(execFile);

/** Builds a one-layer Alpine 3.8 image over the given apk records, with an optional config User. */
export async function buildAlpineImage(records: string[], user?: string, architecture = "amd64"): Promise<BuiltImage> {
  return buildImage({
    layers: [await buildLayer(alpineLayer(records))],
    config: { os: "linux", architecture, created: "2018-10-01T00:00:00Z", ...(user === undefined ? {} : { user }) },
    mediaTypes: "oci",
  });
}

/** Returns an SBOM and a max-mode provenance attestation, as `docker buildx build --sbom=true --provenance=mode=max` attaches. */
export function attestationsOf(image: BuiltImage): AttestationInput {
  return {
    sbom: { dpkgStatus: "Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nArchitecture: all\n\n", distro: { id: "debian", versionId: "12" }, created: "2018-10-01T00:00:00Z" },
    provenance: {
      mode: "max",
      invocationId: `build-${image.manifest.digest.slice(7, 19)}`,
      startedOn: "2018-10-01T00:00:00Z",
      finishedOn: "2018-10-01T00:01:00Z",
      dockerfile: "FROM alpine:3.8\n",
      baseImage: { name: "alpine", tag: "3.8", digest: `sha256:${"a".repeat(64)}`, layerCount: 1 },
    },
  };
}

/** Writes images to a new OCI layout whose index.json names each `repository:tag`, as the samples do. */
export async function writeLayout(directory: string, images: { repository: string; tag: string; image: BuiltImage | BuiltIndex }[]): Promise<void> {
  const set = createSampleSet();
  for (const { repository, tag, image } of images) addSampleTag(set, repository, tag, image);
  await writeOciLayout(directory, set);
}

/** Copies `oci:LAYOUT:REF` with skopeo to another transport, e.g. `docker-archive:FILE:acme/api:1.0` or `oci:DIR:1.0`. */
export async function skopeoCopy(layout: string, refName: string, destination: string): Promise<void> {
  await run("skopeo", ["copy", "--quiet", `oci:${layout}:${refName}`, destination]);
}

/**
 * Packs an OCI layout folder into a tar the way Docker 25 and later write `docker save`:
 * the layout's files plus a legacy manifest.json that names blobs by their paths.
 */
export async function packDockerOciArchive(layout: string, file: string, repoTag: string): Promise<void> {
  const index = JSON.parse(await readFile(path.join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(path.join(layout, "blobs", "sha256", index.manifests[0]!.digest.slice(7)), "utf8")) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  const blobPath = (digest: string) => `blobs/sha256/${digest.slice(7)}`;
  const files = new Map<string, Buffer>([
    ["oci-layout", await readFile(path.join(layout, "oci-layout"))],
    ["index.json", await readFile(path.join(layout, "index.json"))],
    ["manifest.json", Buffer.from(JSON.stringify([{ Config: blobPath(manifest.config.digest), RepoTags: [repoTag], Layers: manifest.layers.map((layer) => blobPath(layer.digest)) }]))],
  ]);
  for (const name of await readdir(path.join(layout, "blobs", "sha256"))) files.set(`blobs/sha256/${name}`, await readFile(path.join(layout, "blobs", "sha256", name)));
  await writeFile(file, await packTar(files));
}

/** Packs files into an uncompressed tar. */
export async function packTar(files: Map<string, Buffer>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const [name, content] of files) archive.entry({ name, size: content.byteLength, mtime: new Date("2024-01-01T00:00:00Z") }, content);
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}
