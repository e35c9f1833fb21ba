import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { imageSubject } from "@/lib/samples/in-toto-statement";
import { decodeJson } from "@/lib/samples/oci-json";
import {
  BUILDKIT_METADATA_KEY,
  buildProvenanceStatement,
  type ProvenanceInput,
  type ProvenanceTarget,
  type SlsaProvenanceV02,
} from "@/lib/samples/provenance-statement";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const realPredicate = decodeJson<SlsaProvenanceV02>(
  readFileSync(join(SAMPLES_TESTDATA_DIR, "attestations/real-world/zlabjp-buildkit-slsa-v0.2-predicate.json")),
);
const keys = (value: object | undefined) => Object.keys(value ?? {}).sort();

const BASE_DIGEST = digestOf("base manifest");
const DOCKERFILE = "# syntax check\nFROM debian:12-slim\n\nCOPY app/ /app/\nUSER 10001\n";
const SUBJECT = imageSubject("demo/web", "1.1", "linux/amd64", digestOf("image manifest"));
const TARGET: ProvenanceTarget = {
  platform: { os: "linux", architecture: "amd64" },
  layers: [
    { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digestOf("base layer"), size: 100 },
    { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digestOf("app layer"), size: 20 },
  ],
};

function input(mode: "min" | "max", overrides: Partial<ProvenanceInput> = {}): ProvenanceInput {
  return {
    mode,
    builderId: "https://ci.example.org/builds/7",
    invocationId: "build-7",
    startedOn: "2025-07-01T08:59:00Z",
    finishedOn: "2025-07-01T09:00:00Z",
    dockerfile: DOCKERFILE,
    buildArgs: { VERSION: "1.1" },
    baseImage: { name: "debian", tag: "12-slim", digest: BASE_DIGEST, layerCount: 1 },
    vcs: { source: "https://git.example.org/demo/web", revision: "0123456789abcdef0123456789abcdef01234567" },
    ...overrides,
  };
}

describe("buildProvenanceStatement", () => {
  it("statement header names SLSA v0.2 and the subject", () => {
    const statement = buildProvenanceStatement(SUBJECT, input("max"), TARGET);

    expect(statement._type).toBe("https://in-toto.io/Statement/v0.1");
    expect(statement.predicateType).toBe("https://slsa.dev/provenance/v0.2");
    expect(statement.subject).toEqual([SUBJECT]);
    expect(statement.predicate.buildType).toBe("https://mobyproject.org/buildkit@v1");
    expect(statement.predicate.builder).toEqual({ id: "https://ci.example.org/builds/7" });
  });

  it("max mode has the fields of a real BuildKit predicate", () => {
    const predicate = buildProvenanceStatement(SUBJECT, input("max"), TARGET).predicate;
    const buildkit = predicate.metadata[BUILDKIT_METADATA_KEY];
    const realBuildkit = realPredicate.metadata[BUILDKIT_METADATA_KEY];

    expect(keys(predicate)).toEqual(keys(realPredicate));
    expect(keys(predicate.invocation)).toEqual(keys(realPredicate.invocation));
    expect(keys(predicate.metadata)).toEqual(keys(realPredicate.metadata));
    expect(keys(buildkit)).toEqual(keys(realBuildkit));
    expect(keys(buildkit?.source)).toEqual(keys(realBuildkit?.source));
    expect(keys(buildkit?.source?.infos[0])).toEqual(keys(realBuildkit?.source?.infos[0]));
    expect(keys(predicate.buildConfig)).toEqual(keys(realPredicate.buildConfig));
  });

  it("max mode records the build definition", () => {
    const predicate = buildProvenanceStatement(SUBJECT, input("max"), TARGET).predicate;
    const buildkit = predicate.metadata[BUILDKIT_METADATA_KEY];
    const steps = predicate.buildConfig?.llbDefinition ?? [];

    expect(steps.map((step) => step.id)).toEqual(["step0", "step1", "step2", "step3"]);
    expect(steps[0]?.op).toMatchObject({
      Op: { source: { identifier: `docker-image://docker.io/library/debian:12-slim@${BASE_DIGEST}` } },
    });
    expect(steps[3]).toEqual({ id: "step3", inputs: ["step2:0"], op: { Op: null } });
    expect(Object.values(predicate.buildConfig?.digestMapping ?? {}).sort()).toEqual(["step0", "step1", "step2", "step3"]);
    expect(predicate.invocation.parameters.args).toEqual({ "build-arg:VERSION": "1.1" });
    expect(predicate.metadata.completeness).toEqual({ parameters: true, environment: true, materials: false });
    expect(Buffer.from(buildkit?.source?.infos[0]?.data ?? "", "base64").toString("utf8")).toBe(DOCKERFILE);
    expect(buildkit?.layers).toEqual({ "step0:0": [[TARGET.layers[0]]], "step2:0": [[TARGET.layers[0], TARGET.layers[1]]] });
  });

  it("max mode maps steps to Dockerfile lines", () => {
    const predicate = buildProvenanceStatement(SUBJECT, input("max"), TARGET).predicate;
    const locations = predicate.metadata[BUILDKIT_METADATA_KEY]?.source?.locations ?? {};
    const lineOf = (step: string) => locations[step]?.locations?.[0]?.ranges[0]?.start.line;

    expect(lineOf("step0")).toBe(2);
    expect(lineOf("step2")).toBe(4);
    expect(locations.step1).toEqual({});
    expect(locations.step3).toBeUndefined();
  });

  it("names the base image as a material", () => {
    const predicate = buildProvenanceStatement(SUBJECT, input("min"), TARGET).predicate;

    expect(predicate.materials).toEqual([
      { uri: "pkg:docker/debian@12-slim?platform=linux%2Famd64", digest: { sha256: BASE_DIGEST.slice(7) } },
    ]);
  });

  it("min mode leaves out the build definition", () => {
    const predicate = buildProvenanceStatement(SUBJECT, input("min"), TARGET).predicate;

    expect(predicate).not.toHaveProperty("buildConfig");
    expect(predicate.invocation.parameters).not.toHaveProperty("args");
    expect(predicate.metadata.completeness.parameters).toBe(false);
    expect(predicate.metadata[BUILDKIT_METADATA_KEY]).toEqual({
      vcs: { source: "https://git.example.org/demo/web", revision: "0123456789abcdef0123456789abcdef01234567" },
    });
  });

  it("min mode without vcs has no BuildKit metadata", () => {
    const predicate = buildProvenanceStatement(SUBJECT, input("min", { vcs: undefined }), TARGET).predicate;

    expect(predicate.metadata).not.toHaveProperty(BUILDKIT_METADATA_KEY);
  });

  it("encodes the platform variant", () => {
    const target = { ...TARGET, platform: { os: "linux", architecture: "arm64", variant: "v8" } };
    const predicate = buildProvenanceStatement(SUBJECT, input("max"), target).predicate;

    expect(predicate.materials[0]?.uri).toBe("pkg:docker/debian@12-slim?platform=linux%2Farm64%2Fv8");
    expect(predicate.invocation.environment.platform).toBe("linux/arm64/v8");
    expect(predicate.buildConfig?.llbDefinition[0]?.op.platform).toEqual({ Architecture: "arm64", OS: "linux", Variant: "v8" });
  });

  it.each([
    ["gcr.io/distroless/static", "docker-image://gcr.io/distroless/static:12-slim@"],
    ["bitnami/node", "docker-image://docker.io/bitnami/node:12-slim@"],
    ["localhost/base", "docker-image://localhost/base:12-slim@"],
  ])("qualifies base image name %s", (name, prefix) => {
    const provenance = input("max", { baseImage: { name, tag: "12-slim", digest: BASE_DIGEST, layerCount: 1 } });
    const step0 = buildProvenanceStatement(SUBJECT, provenance, TARGET).predicate.buildConfig?.llbDefinition[0];

    expect(step0?.op).toMatchObject({ Op: { source: { identifier: `${prefix}${BASE_DIGEST}` } } });
  });

  it.each([0, 3])("rejects base layer count %i", (layerCount) => {
    const provenance = input("max", { baseImage: { name: "debian", tag: "12-slim", digest: BASE_DIGEST, layerCount } });

    expect(() => buildProvenanceStatement(SUBJECT, provenance, TARGET)).toThrow(/Invalid base image layer count/);
  });
});
