import { AppError } from "@/lib/errors";
import { encodeJson, sortKeys } from "@/lib/samples/encode-json";
import { IN_TOTO_STATEMENT_V01, type InTotoStatement, type InTotoSubject } from "@/lib/samples/in-toto-statement";
import { formatPlatform, type Descriptor, type Platform } from "@/lib/samples/oci-descriptor";
import { digestHex, sha256Digest } from "@/lib/samples/sha256-digest";

export const SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2";
export const BUILDKIT_BUILD_TYPE = "https://mobyproject.org/buildkit@v1";
/** The key under `metadata` where BuildKit puts its own build details. */
export const BUILDKIT_METADATA_KEY = "https://mobyproject.org/buildkit@v1#metadata";

/**
 * The facts of one simulated `docker buildx build`. The build is modelled as
 * `FROM <baseImage>` followed by one `COPY` from the context per layer above
 * the base layers.
 */
export interface ProvenanceInput {
  /** BuildKit's `--provenance=mode=min|max`. */
  mode: "min" | "max";
  builderId?: string;
  invocationId: string;
  /** ISO 8601 times of the build. */
  startedOn: string;
  finishedOn: string;
  /** Dockerfile text; max mode embeds it and maps LLB steps to its FROM and COPY lines. */
  dockerfile: string;
  /** Build arguments; only max mode records them. */
  buildArgs?: Record<string, string>;
  /** The final stage's base image: Docker Hub name (`debian`), tag, manifest digest, layer count. */
  baseImage: { name: string; tag: string; digest: string; layerCount: number };
  vcs?: { source: string; revision: string };
}

/** The image a provenance statement describes. */
export interface ProvenanceTarget {
  platform: Platform;
  /** Layer descriptors as the image manifest lists them, base layers first. */
  layers: readonly Descriptor[];
}

/** One LLB operation as BuildKit prints it in provenance: `inputs` are `<step>:<output>`. */
export interface LlbStep {
  id: string;
  inputs?: string[];
  op: Record<string, unknown>;
}

/** Dockerfile line ranges of one LLB step; empty for steps without a line. */
export interface StepLocation {
  locations?: { ranges: { start: { line: number }; end: { line: number } }[] }[];
}

/** BuildKit's own build details under `BUILDKIT_METADATA_KEY`. */
export interface BuildkitMetadata {
  vcs?: { source: string; revision: string };
  source?: {
    infos: { filename: string; data: string; llbDefinition: LlbStep[]; digestMapping: Record<string, string> }[];
    locations: Record<string, StepLocation>;
  };
  /** Layers of each step output (`<step>:<output>`), one inner array per layer chain. */
  layers?: Record<string, Descriptor[][]>;
}

/** A SLSA v0.2 predicate in the shape BuildKit writes. */
export interface SlsaProvenanceV02 {
  builder: { id: string };
  buildType: typeof BUILDKIT_BUILD_TYPE;
  invocation: {
    configSource: { entryPoint: string };
    parameters: { frontend: string; args?: Record<string, string>; locals: { name: string }[] };
    environment: { platform: string };
  };
  buildConfig?: { llbDefinition: LlbStep[]; digestMapping: Record<string, string> };
  metadata: {
    buildInvocationID: string;
    buildStartedOn: string;
    buildFinishedOn: string;
    completeness: { parameters: boolean; environment: boolean; materials: boolean };
    reproducible: boolean;
    [BUILDKIT_METADATA_KEY]?: BuildkitMetadata;
  };
  materials: { uri: string; digest: { sha256: string } }[];
}

/**
 * Builds a SLSA v0.2 provenance statement as BuildKit writes it. Max mode adds
 * the build arguments, `buildConfig.llbDefinition`, and the BuildKit metadata
 * `source` (the Dockerfile) and `layers`. Min mode leaves them out, so its
 * BuildKit metadata contains only `vcs`.
 */
export function buildProvenanceStatement(
  subject: InTotoSubject,
  input: ProvenanceInput,
  target: ProvenanceTarget,
): InTotoStatement<SlsaProvenanceV02> {
  const { layerCount } = input.baseImage;
  if (!Number.isInteger(layerCount) || layerCount < 1 || layerCount > target.layers.length) {
    throw new AppError(
      "INVALID_INPUT",
      `Invalid base image layer count ${layerCount}: the image has ${target.layers.length} layers and the base needs at least one of them.`,
    );
  }

  const isMax = input.mode === "max";
  const steps = buildLlbSteps(input, target);

  const buildkitMetadata: BuildkitMetadata = {};
  if (input.vcs !== undefined) {
    buildkitMetadata.vcs = { source: input.vcs.source, revision: input.vcs.revision };
  }
  if (isMax) {
    buildkitMetadata.source = buildSourceMetadata(input.dockerfile, steps);
    buildkitMetadata.layers = buildLayersMetadata(steps, target.layers, input.baseImage.layerCount);
  }

  return {
    _type: IN_TOTO_STATEMENT_V01,
    predicateType: SLSA_PROVENANCE_V02,
    subject: [subject],
    predicate: {
      builder: { id: input.builderId ?? "" },
      buildType: BUILDKIT_BUILD_TYPE,
      invocation: {
        configSource: { entryPoint: "Dockerfile" },
        parameters: {
          frontend: "dockerfile.v0",
          ...(isMax ? { args: buildArgsParameter(input.buildArgs ?? {}) } : {}),
          locals: [{ name: "context" }, { name: "dockerfile" }],
        },
        environment: { platform: formatPlatform(target.platform) },
      },
      ...(isMax ? { buildConfig: { llbDefinition: steps, digestMapping: digestMapping(steps) } } : {}),
      metadata: {
        buildInvocationID: input.invocationId,
        buildStartedOn: input.startedOn,
        buildFinishedOn: input.finishedOn,
        completeness: { parameters: isMax, environment: true, materials: false },
        reproducible: false,
        ...(Object.keys(buildkitMetadata).length > 0 ? { [BUILDKIT_METADATA_KEY]: buildkitMetadata } : {}),
      },
      materials: [
        {
          uri: `pkg:docker/${input.baseImage.name}@${encodeURIComponent(input.baseImage.tag)}?platform=${encodeURIComponent(formatPlatform(target.platform))}`,
          digest: { sha256: digestHex(input.baseImage.digest) },
        },
      ],
    },
  };
}

// BuildKit passes Dockerfile build arguments to the frontend as "build-arg:<name>".
function buildArgsParameter(buildArgs: Record<string, string>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [name, value] of Object.entries(buildArgs)) args[`build-arg:${name}`] = value;
  return sortKeys(args);
}

/**
 * Models the build as LLB: step0 pulls the base image, step1 reads the build
 * context, one file-copy step per layer above the base, and a final step with
 * a null op that marks the result, as BuildKit ends every definition.
 */
function buildLlbSteps(input: ProvenanceInput, target: ProvenanceTarget): LlbStep[] {
  const llbPlatform = {
    Architecture: target.platform.architecture,
    OS: target.platform.os,
    ...(target.platform.variant === undefined ? {} : { Variant: target.platform.variant }),
  };
  const copyCount = target.layers.length - input.baseImage.layerCount;

  const steps: LlbStep[] = [
    {
      id: "step0",
      op: {
        Op: { source: { identifier: `docker-image://${qualifiedImageName(input.baseImage.name)}:${input.baseImage.tag}@${input.baseImage.digest}` } },
        constraints: {},
        platform: llbPlatform,
      },
    },
  ];

  if (copyCount > 0) {
    steps.push({
      id: "step1",
      op: { Op: { source: { identifier: "local://context", attrs: { "local.sharedkeyhint": "context" } } }, constraints: {} },
    });
  }

  let previous = "step0:0";
  for (let copy = 0; copy < copyCount; copy++) {
    const id = `step${steps.length}`;
    steps.push({
      id,
      inputs: [previous, "step1:0"],
      op: {
        Op: {
          file: {
            actions: [
              {
                Action: {
                  copy: {
                    allowEmptyWildcard: true,
                    allowWildcard: true,
                    createDestPath: true,
                    dest: "/",
                    dirCopyContents: true,
                    followSymlink: true,
                    mode: -1,
                    src: "/",
                    timestamp: -1,
                  },
                },
                input: 0,
                output: 0,
                secondaryInput: 1,
              },
            ],
          },
        },
        constraints: {},
        platform: llbPlatform,
      },
    });
    previous = `${id}:0`;
  }

  steps.push({ id: `step${steps.length}`, inputs: [previous], op: { Op: null } });
  return steps;
}

// BuildKit maps the digest of each LLB operation's protobuf encoding to its
// step id. No protobuf encoding exists here, so the digest is of the step's JSON.
function digestMapping(steps: readonly LlbStep[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const step of steps) {
    mapping[sha256Digest(encodeJson({ inputs: step.inputs ?? [], op: step.op }))] = step.id;
  }
  return sortKeys(mapping);
}

function buildSourceMetadata(dockerfile: string, steps: readonly LlbStep[]): NonNullable<BuildkitMetadata["source"]> {
  const dockerfileSteps: LlbStep[] = [
    {
      id: "step0",
      op: {
        Op: {
          source: {
            identifier: "local://dockerfile",
            attrs: {
              "local.differ": "none",
              "local.followpaths": JSON.stringify(["Dockerfile", "Dockerfile.dockerignore", "dockerfile"]),
              "local.sharedkeyhint": "dockerfile",
            },
          },
        },
        constraints: {},
      },
    },
    { id: "step1", inputs: ["step0:0"], op: { Op: null } },
  ];

  return {
    infos: [
      {
        filename: "Dockerfile",
        data: Buffer.from(dockerfile, "utf8").toString("base64"),
        llbDefinition: dockerfileSteps,
        digestMapping: digestMapping(dockerfileSteps),
      },
    ],
    locations: stepLocations(dockerfile, steps),
  };
}

// Points step0 at the FROM line and the n-th copy step at the n-th COPY or ADD
// line (1-based line numbers); steps without a Dockerfile line get {}.
function stepLocations(dockerfile: string, steps: readonly LlbStep[]): Record<string, StepLocation> {
  const lines = dockerfile.split("\n");
  const fromLine = lines.findIndex((line) => /^\s*FROM\s/i.test(line)) + 1;
  const copyLines = lines.flatMap((line, index) => (/^\s*(COPY|ADD)\s/i.test(line) ? [index + 1] : []));
  const at = (line: number): StepLocation => ({ locations: [{ ranges: [{ start: { line }, end: { line } }] }] });

  const locations: Record<string, StepLocation> = {};
  let copyIndex = 0;
  for (const step of steps) {
    if (step.id === "step0") {
      locations[step.id] = fromLine > 0 ? at(fromLine) : {};
    } else if (step.op.Op !== null && step.inputs !== undefined) {
      const line = copyLines[copyIndex++];
      locations[step.id] = line === undefined ? {} : at(line);
    } else if (step.op.Op !== null) {
      locations[step.id] = {};
    }
  }
  return locations;
}

// Lists, per step output, the layers of the filesystem it produces.
function buildLayersMetadata(
  steps: readonly LlbStep[],
  layers: readonly Descriptor[],
  baseLayerCount: number,
): Record<string, Descriptor[][]> {
  const toDescriptor = (layer: Descriptor): Descriptor => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size });
  const metadata: Record<string, Descriptor[][]> = {
    "step0:0": [layers.slice(0, baseLayerCount).map(toDescriptor)],
  };

  const copySteps = steps.filter((step) => step.inputs !== undefined && step.op.Op !== null);
  copySteps.forEach((step, index) => {
    metadata[`${step.id}:0`] = [layers.slice(0, baseLayerCount + index + 1).map(toDescriptor)];
  });
  return metadata;
}

// Expands a Docker Hub short name the way the Docker CLI does: `debian` is
// `docker.io/library/debian`, `org/app` is `docker.io/org/app`, and a first
// component with a dot, a colon or `localhost` is already a registry host.
function qualifiedImageName(name: string): string {
  const [first, ...rest] = name.split("/");
  if (rest.length === 0) return `docker.io/library/${name}`;
  if (first !== undefined && (first.includes(".") || first.includes(":") || first === "localhost")) return name;
  return `docker.io/${name}`;
}
