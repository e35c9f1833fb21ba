import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { parseProvenance, parseProvenancePredicate, SLSA_PROVENANCE_V02 } from "@/lib/analysis/attestation-predicates";
import { detectBaseImage, dockerPurlToReference, normalizeImageReference, type BaseImage, type KnownImage } from "@/lib/analysis/base-image";
import { AppError } from "@/lib/errors";

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`testdata/${path}`, import.meta.url), "utf8")) as T;
}

const SHA = (character: string) => `sha256:${character.repeat(64)}`;

const officialManifest = fixture<{ layers: { digest: string }[]; annotations: Record<string, string> }>("base-image/official-image-manifest.json");
const labelOnlyConfig = fixture<{ config: { Labels: Record<string, string> }; rootfs: { diff_ids: string[] } }>("base-image/label-only-config.json");
const knownImages = fixture<{ image: KnownImage; knownImages: KnownImage[] }>("base-image/known-images.json");

const multistage = parseProvenance(fixture("attestations/buildkit-multistage-v1-max.json"));
/** The final image of the multi-stage fixture: the debian:12-slim layer, then the copied binary (its step4:0 layers). */
const MULTISTAGE_IMAGE_LAYERS = [
  "sha256:3c49972e4407c734067818a7e825e9e1409d68e707e128ab114b2c9df7074402",
  "sha256:e03eb5547e166c3e9a3e69f6ffc57689cf59269c768657c25d2b0eb9b2eb1a2c",
];

const zlabjp = parseProvenancePredicate(SLSA_PROVENANCE_V02, fixture("attestations/zlabjp-buildkit-slsa-v0.2-predicate.json"));
/** The final image of the zlabjp build, as its provenance records the last step's output (step5:0). */
const ZLABJP_IMAGE_LAYERS = [
  "sha256:383e1c5dd0c1830143b1230e90292ebd4219911e0512b70d250c8907c4899110",
  "sha256:ca23dae0171c399ac2921170e24602172f2a0edc35ab43b7b62d5cd4acbc6339",
];

describe("normalizeImageReference", () => {
  const cases: Array<[string, string]> = [
    ["debian", "docker.io/library/debian:latest"],
    ["debian:12-slim", "docker.io/library/debian:12-slim"],
    ["library/debian:12", "docker.io/library/debian:12"],
    ["docker.io/debian:bookworm", "docker.io/library/debian:bookworm"],
    ["index.docker.io/library/node:20-slim", "docker.io/library/node:20-slim"],
    ["bitnami/minideb:bookworm", "docker.io/bitnami/minideb:bookworm"],
    ["docker.io/bitnami/minideb", "docker.io/bitnami/minideb:latest"],
    ["ghcr.io/org/app:v1.2", "ghcr.io/org/app:v1.2"],
    ["gcr.io/distroless/static:nonroot", "gcr.io/distroless/static:nonroot"],
    ["localhost:5000/acme/app", "localhost:5000/acme/app:latest"],
    [`ubuntu@${SHA("b")}`, `docker.io/library/ubuntu@${SHA("b")}`],
    [`debian:12@${SHA("c")}`, `docker.io/library/debian:12@${SHA("c")}`],
  ];

  it.each(cases)("normalises %s", (input, expected) => {
    expect(normalizeImageReference(input)).toBe(expected);
  });

  it.each(["Debian:12", "debian:", "", "acme//app"])("rejects %j", (input) => {
    expect(() => normalizeImageReference(input)).toThrow(AppError);
  });
});

describe("dockerPurlToReference", () => {
  const cases: Array<{ purl: string; reference: string; digest: string | null }> = [
    { purl: "pkg:docker/debian@12-slim?platform=linux%2Famd64", reference: "docker.io/library/debian:12-slim", digest: null },
    { purl: "pkg:docker/alpine@latest?platform=linux%2Famd64", reference: "docker.io/library/alpine:latest", digest: null },
    { purl: "pkg:docker/bitnami/minideb@bookworm", reference: "docker.io/bitnami/minideb:bookworm", digest: null },
    { purl: "pkg:docker/docker.io/library/node@22-bookworm-slim", reference: "docker.io/library/node:22-bookworm-slim", digest: null },
    { purl: "pkg:docker/ghcr.io/org/app@v1.2", reference: "ghcr.io/org/app:v1.2", digest: null },
    { purl: "pkg:docker/localhost%3A5000/acme/app@1.0", reference: "localhost:5000/acme/app:1.0", digest: null },
    {
      purl: `pkg:docker/node@22?digest=${SHA("d")}&platform=linux%2Famd64`,
      reference: "docker.io/library/node:22",
      digest: SHA("d"),
    },
    {
      purl: "pkg:docker/ubuntu?digest=sha256:b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559&platform=linux%2Famd64",
      reference: "docker.io/library/ubuntu@sha256:b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559",
      digest: "sha256:b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559",
    },
    // The purl spec's own form: registry in repository_url, digest as the version.
    { purl: `pkg:docker/customer/dockerimage@sha256%3A${"e".repeat(64)}?repository_url=gcr.io`, reference: `gcr.io/customer/dockerimage@${SHA("e")}`, digest: SHA("e") },
    { purl: "pkg:docker/dockerimage@1.0?repository_url=https://registry.example.com/", reference: "registry.example.com/dockerimage:1.0", digest: null },
  ];

  it.each(cases)("converts $purl", ({ purl, reference, digest }) => {
    expect(dockerPurlToReference(purl)).toEqual({ reference, digest });
  });

  it.each([
    ["an npm purl", "pkg:npm/express@4.19.2", /type is "npm"/],
    ["text that is no purl", "debian:12", /Invalid docker purl/],
    ["an upper-case name", "pkg:docker/Debian@12", /must be lowercase/],
    ["a bad digest", "pkg:docker/debian?digest=sha256:abc", /64 lowercase hex digits/],
  ])("rejects %s", (_name, purl, message) => {
    expect(() => dockerPurlToReference(purl)).toThrow(AppError);
    expect(() => dockerPurlToReference(purl)).toThrow(message);
  });
});

describe("detectBaseImage from provenance", () => {
  it("picks the final stage by its layers", () => {
    const base = detectBaseImage({ provenance: multistage, layerDigests: MULTISTAGE_IMAGE_LAYERS });
    expect(base).toEqual({
      source: "provenance",
      reference: "docker.io/library/debian:12-slim",
      digest: "sha256:acabdf0c35cf3a243a99d4ec4a86167f16502fda81a1428c07c5fc7b6699a777",
    });
  });

  it("picks the final stage of a real BuildKit build", () => {
    const base = detectBaseImage({ provenance: zlabjp, layerDigests: ZLABJP_IMAGE_LAYERS });
    expect(base).toEqual({
      source: "provenance",
      reference: "gcr.io/distroless/static@sha256:3c5767883bc3ad6c4ad7caf97f313e482f500f2c214f78e452ac1ca932e1bf7f",
      digest: "sha256:3c5767883bc3ad6c4ad7caf97f313e482f500f2c214f78e452ac1ca932e1bf7f",
    });
  });

  it("prefers the longest matching stage image", () => {
    // A second stage image whose layers are a shorter prefix: the final stage built FROM a stage based on it.
    const provenance = {
      ...multistage,
      materials: [
        ...multistage.materials,
        { uri: "pkg:docker/acme/debian-tools@1", digest: { sha256: "f".repeat(64) }, layers: MULTISTAGE_IMAGE_LAYERS.slice(0, 1) },
        { uri: "pkg:docker/acme/debian-app-base@1", digest: { sha256: "a".repeat(64) }, layers: MULTISTAGE_IMAGE_LAYERS },
      ],
    };
    const base = detectBaseImage({ provenance, layerDigests: MULTISTAGE_IMAGE_LAYERS });
    expect(base).toMatchObject({ source: "provenance", reference: "docker.io/acme/debian-app-base:1" });
  });

  it("takes the last stage image without layer data", () => {
    const base = detectBaseImage({ provenance: zlabjp });
    expect(base).toMatchObject({ source: "provenance", reference: expect.stringMatching(/^gcr\.io\/distroless\/static@/) });
  });

  it("skips the frontend and SBOM scanner images", () => {
    const materials = multistage.materials.filter((material) => !material.uri.startsWith("pkg:docker/golang"));
    const base = detectBaseImage({ provenance: { ...multistage, materials: materials.map(({ uri, digest }) => ({ uri, digest })) } });
    expect(base).toMatchObject({ source: "provenance", reference: "docker.io/library/debian:12-slim" });
  });

  it("skips a frontend named only in the request", () => {
    const provenance = {
      ...multistage,
      frontendImage: "registry.example.com/tools/frontend:2",
      materials: [
        { uri: "pkg:docker/alpine@3.20", digest: { sha256: "1".repeat(64) } },
        { uri: "pkg:docker/registry.example.com/tools/frontend@2", digest: { sha256: "2".repeat(64) } },
      ],
    };
    expect(detectBaseImage({ provenance })).toMatchObject({ reference: "docker.io/library/alpine:3.20", digest: SHA("1") });
  });

  it("reads the BuildKit documentation example", () => {
    const provenance = parseProvenance(fixture("attestations/slsa-v1-provenance-mode-min.json"));
    expect(detectBaseImage({ provenance })).toEqual({
      source: "provenance",
      reference: "docker.io/library/alpine:latest",
      digest: "sha256:8914eb54f968791faf6a8638949e480fef81e697984fba772b3976835194c6d4",
    });
  });

  it("falls through when no stage image starts the layers", () => {
    const base = detectBaseImage({ provenance: multistage, layerDigests: [SHA("9")], annotations: officialManifest.annotations });
    expect(base.source).toBe("annotation");
  });

  it("falls through for provenance without images", () => {
    const provenance = parseProvenance(fixture("attestations/zlabjp-statement-container-provenance.json"));
    const base = detectBaseImage({ provenance, labels: labelOnlyConfig.config.Labels });
    expect(base.source).toBe("label");
  });
});

describe("detectBaseImage from annotations and labels", () => {
  it("reads the official image annotations", () => {
    const base = detectBaseImage({ annotations: officialManifest.annotations, layerDigests: officialManifest.layers.map((layer) => layer.digest) });
    expect(base).toEqual({
      source: "annotation",
      reference: "docker.io/library/debian:bookworm-slim",
      digest: "sha256:98d7bd7667843d18dc6e125c6ad759afa71808140b1b79403fbad07a95bf5c5d",
    });
  });

  it("reads a label without digest", () => {
    expect(detectBaseImage({ labels: labelOnlyConfig.config.Labels })).toEqual({
      source: "label",
      reference: "docker.io/bitnami/minideb:bookworm",
      digest: null,
    });
  });

  it("prefers annotations to labels", () => {
    const base = detectBaseImage({ annotations: officialManifest.annotations, labels: labelOnlyConfig.config.Labels });
    expect(base.source).toBe("annotation");
  });

  const cases: Array<{ name: string; annotations: Record<string, string>; expected: BaseImage }> = [
    {
      name: "scratch",
      annotations: { "org.opencontainers.image.base.name": "scratch" },
      expected: { source: "annotation", reference: "scratch", digest: null },
    },
    {
      name: "digest only",
      annotations: { "org.opencontainers.image.base.digest": SHA("4") },
      expected: { source: "annotation", reference: null, digest: SHA("4") },
    },
    {
      name: "digest inside the name",
      annotations: { "org.opencontainers.image.base.name": `alpine:3.20@${SHA("5")}` },
      expected: { source: "annotation", reference: `docker.io/library/alpine:3.20@${SHA("5")}`, digest: SHA("5") },
    },
    {
      name: "invalid name with a valid digest",
      annotations: { "org.opencontainers.image.base.name": "Not A Reference", "org.opencontainers.image.base.digest": SHA("6") },
      expected: { source: "annotation", reference: null, digest: SHA("6") },
    },
    {
      name: "valid name with an invalid digest",
      annotations: { "org.opencontainers.image.base.name": "alpine:3.20", "org.opencontainers.image.base.digest": "sha256:123" },
      expected: { source: "annotation", reference: "docker.io/library/alpine:3.20", digest: null },
    },
  ];

  it.each(cases)("reads $name", ({ annotations, expected }) => {
    expect(detectBaseImage({ annotations })).toEqual(expected);
  });

  it("treats empty annotations as absent", () => {
    // buildah writes both keys with empty values.
    const annotations = { "org.opencontainers.image.base.name": "", "org.opencontainers.image.base.digest": "" };
    expect(detectBaseImage({ annotations, labels: labelOnlyConfig.config.Labels }).source).toBe("label");
  });

  it("falls through when both values are invalid", () => {
    const annotations = { "org.opencontainers.image.base.name": "Not A Reference", "org.opencontainers.image.base.digest": "md5:abc" };
    const base = detectBaseImage({ annotations, labels: labelOnlyConfig.config.Labels });
    expect(base.source).toBe("label");
  });
});

describe("detectBaseImage from shared layers", () => {
  const image = knownImages.image;
  const byReference = (reference: string) => knownImages.knownImages.filter((known) => known.reference === reference);
  const NODE = byReference("node:20-bookworm-slim");
  const DEBIAN = byReference("debian:12-slim");
  const WORKER = byReference("registry.example.com/acme/worker:2.0");
  const OLDER_TAG = byReference("registry.example.com/acme/api:1.0");
  const ALPINE = byReference("alpine:3.20");

  const cases: Array<{ name: string; known: KnownImage[]; reference: string; sharedLayers: number; layerCount: number; exact: boolean }> = [
    { name: "all known images", known: knownImages.knownImages, reference: "docker.io/library/node:20-bookworm-slim", sharedLayers: 5, layerCount: 5, exact: true },
    { name: "the base's base only", known: [...DEBIAN, ...ALPINE], reference: "docker.io/library/debian:12-slim", sharedLayers: 1, layerCount: 1, exact: true },
    { name: "exact base over a sibling", known: [...WORKER, ...NODE], reference: "docker.io/library/node:20-bookworm-slim", sharedLayers: 5, layerCount: 5, exact: true },
    { name: "a sibling only", known: WORKER, reference: "registry.example.com/acme/worker:2.0", sharedLayers: 5, layerCount: 6, exact: false },
    { name: "a shorter base over an older tag", known: [...OLDER_TAG, ...DEBIAN], reference: "docker.io/library/debian:12-slim", sharedLayers: 1, layerCount: 1, exact: true },
    { name: "an older tag only", known: OLDER_TAG, reference: "registry.example.com/acme/api:1.0", sharedLayers: 7, layerCount: 7, exact: true },
  ];

  it.each(cases)("matches $name", ({ known, reference, sharedLayers, layerCount, exact }) => {
    const base = detectBaseImage({ diffIds: image.diffIds, imageDigest: image.digest, knownImages: known });
    const expectedDigest = known.find((candidate) => normalizeImageReference(candidate.reference) === reference)?.digest;

    expect(base).toEqual({ source: "layers", reference, digest: expectedDigest, knownImage: { sharedLayers, layerCount, exact } });
  });

  it("never matches the image itself", () => {
    const base = detectBaseImage({ diffIds: image.diffIds, imageDigest: image.digest, knownImages: [image, ...DEBIAN] });
    expect(base).toMatchObject({ source: "layers", reference: "docker.io/library/debian:12-slim" });
  });

  it("orders equal matches by reference", () => {
    const twin = { ...DEBIAN[0], reference: "docker.io/library/debian:bookworm-slim" } as KnownImage;
    const forward = detectBaseImage({ diffIds: image.diffIds, knownImages: [twin, ...DEBIAN] });
    const backward = detectBaseImage({ diffIds: image.diffIds, knownImages: [...DEBIAN, twin] });

    expect(forward).toMatchObject({ reference: "docker.io/library/debian:12-slim" });
    expect(backward).toEqual(forward);
  });

  it("reports no shared layer", () => {
    const base = detectBaseImage({ diffIds: image.diffIds, knownImages: ALPINE });
    expect(base).toEqual({
      source: "unknown",
      reason:
        "No base image found: the image has no provenance; " +
        "there is no org.opencontainers.image.base.name or org.opencontainers.image.base.digest manifest annotation; " +
        "there is no org.opencontainers.image.base.name or org.opencontainers.image.base.digest config label; " +
        "none of 1 known images shares the image's first layer.",
    });
  });
});

describe("detectBaseImage order of trust", () => {
  const everything = {
    provenance: multistage,
    layerDigests: MULTISTAGE_IMAGE_LAYERS,
    annotations: officialManifest.annotations,
    labels: labelOnlyConfig.config.Labels,
    diffIds: knownImages.image.diffIds,
    knownImages: knownImages.knownImages,
  };

  const cases: Array<{ name: string; input: Parameters<typeof detectBaseImage>[0]; source: BaseImage["source"] }> = [
    { name: "provenance first", input: everything, source: "provenance" },
    { name: "annotations second", input: { ...everything, provenance: null }, source: "annotation" },
    { name: "labels third", input: { ...everything, provenance: null, annotations: null }, source: "label" },
    { name: "layers last", input: { ...everything, provenance: null, annotations: null, labels: null }, source: "layers" },
  ];

  it.each(cases)("uses $name", ({ input, source }) => {
    expect(detectBaseImage(input).source).toBe(source);
  });

  it("explains an unknown base", () => {
    const base = detectBaseImage({});
    expect(base).toEqual({
      source: "unknown",
      reason:
        "No base image found: the image has no provenance; " +
        "there is no org.opencontainers.image.base.name or org.opencontainers.image.base.digest manifest annotation; " +
        "there is no org.opencontainers.image.base.name or org.opencontainers.image.base.digest config label; " +
        "the image's layer diff ids are not known.",
    });
  });

  it("names each source that failed", () => {
    const provenance = parseProvenance(fixture("attestations/zlabjp-statement-container-provenance.json"));
    const annotations = { "org.opencontainers.image.base.name": "Not A Reference" };
    const base = detectBaseImage({ provenance, annotations, diffIds: knownImages.image.diffIds });

    expect(base.source).toBe("unknown");
    const reason = base.source === "unknown" ? base.reason : "";
    expect(reason).toContain("the provenance names no pkg:docker material other than build tools");
    expect(reason).toContain('the org.opencontainers.image.base.name manifest annotation is invalid: Invalid image reference "Not A Reference"');
    expect(reason).toContain("no known images to compare layers with");
  });
});
