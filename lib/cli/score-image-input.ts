import { analyzeImage } from "@/lib/analysis/analyze-image";
import type { BaseImage } from "@/lib/analysis/base-image";
import type { PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { registryHead, resolveBaseTagsOf } from "@/lib/grading/base-tags";
import { loadImageFacts } from "@/lib/grading/grade-images";
import type { ImageInput } from "@/lib/cli/image-input";
import { type Progress, withLayerProgress } from "@/lib/cli/progress";
import { type CredentialSources, findRegistryCredentials } from "@/lib/cli/registry-credentials";
import { type StagedImage, stageDockerArchive, stageOciLayout } from "@/lib/cli/stage-image";
import { findBaseImage } from "@/lib/sync/find-base-image";
import { readManifestTree } from "@/lib/sync/read-manifest-tree";
import { storeManifestTree } from "@/lib/sync/store-manifest-tree";
import { createRegistrySource } from "@/lib/registry/registry-source";
import { DOCKER_HUB_REGISTRY, formatReference } from "@/lib/registry/reference";
import { type Fix, fixPlan, type Grade, type ImageFacts, type PolicyConfig, type ScoreReport, scoreImage, worstGrade } from "@/scoring";

/** One platform image's report, the facts it was graded on and the fixes for what it lost. */
export interface PlatformScore {
  report: ScoreReport;
  facts: ImageFacts;
  fixes: Fix[];
}

/** The score of one image argument: its worst platform's grade and each platform's report. */
export interface ImageScore {
  /** The argument as given, e.g. "oci:./layout:1.0". */
  input: string;
  /** The digest of the top manifest or index. */
  digest: string;
  grade: Grade | null;
  platforms: PlatformScore[];
  policyConfigVersion: number;
  /** The latest finished advisory import of the store; null when none. */
  advisorySnapshot: string | null;
}

export interface ScoreInputOptions {
  config: PolicyConfig;
  credentials: CredentialSources;
  /** Allows plain http to a registry that is not on loopback. Registries on loopback are always reached over http. */
  insecure: boolean;
  /** Hosts that a base image's tag may be looked up on, to tell whether it moved; empty looks up none. */
  baseImageRegistries: readonly string[];
  progress: Progress;
  /** Runs after the images are analysed and before they are graded, e.g. to fetch the advisories their packages need. */
  beforeGrading?: (prisma: PrismaClient, digests: readonly string[]) => Promise<void>;
  now?: Date;
}

/**
 * Scores an opened image the way the worker grades a synced tag. It reads the
 * manifest tree, stores it in the CLI's database, analyses each platform image
 * with the worker's analyser and resolves base tags. Then it grades the facts
 * that the dashboard's grading loads, against the advisories in that database.
 * Raises AppError when the image cannot be read or analysed.
 */
export async function scoreOpenedImage(prisma: PrismaClient, opened: OpenedImage, options: ScoreInputOptions): Promise<ImageScore> {
  const { input, staged } = opened;
  try {
    const source = withLayerProgress(staged.source, options.progress);
    const tree = await readManifestTree(source, staged.repository, staged.digest, async () => null);
    if (tree.platforms.length === 0) throw new AppError("INVALID_INPUT", `${input.text} is an index without platform images, so there is nothing to score.`);
    const baseImages = new Map<string, BaseImage>();
    for (const image of tree.images) baseImages.set(image.digest, await findBaseImage(prisma, image, staged.repository));
    // NOTE: attestations are stored by platform image digest, as on the dashboard. So with a kept
    // store, an image first scored inside an attested index keeps those attestations when scored alone.
    await prisma.$transaction(async (tx) => storeManifestTree(tx, tree, baseImages));

    const digests = tree.platforms.map((platform) => platform.digest);
    for (const digest of digests) {
      const result = await analyzeImage(prisma, source, staged.repository, digest);
      // The dashboard grades such an image with "no data"; before a push, the user needs to know instead.
      if (result.status === "FAILED") throw new AppError("INVALID_INPUT", `Analysing ${input.text} (platform image ${digest}) failed: ${result.reason}`);
    }
    await options.beforeGrading?.(prisma, digests);
    options.progress.step("Grading");
    const head = options.baseImageRegistries.length === 0 ? undefined : registryHead(options.baseImageRegistries);
    await resolveBaseTagsOf(prisma, digests, { head, ttlMinutes: 0 });

    const now = options.now ?? new Date();
    const facts = await loadImageFacts(prisma, digests, now);
    const snapshot = await prisma.advisorySnapshot.findFirst({ where: { finishedAt: { not: null } }, orderBy: { finishedAt: "desc" }, select: { id: true } });
    const platforms = digests.map((digest): PlatformScore => {
      const imageFacts = facts.get(digest)!;
      const report = scoreImage(imageFacts, options.config, { advisorySnapshot: snapshot?.id ?? null });
      return { report, facts: imageFacts, fixes: fixPlan(report, imageFacts, options.config) };
    });
    return {
      input: input.text,
      digest: tree.digest,
      grade: worstGrade(platforms.map((platform) => platform.report.grade)),
      platforms,
      policyConfigVersion: options.config.version,
      advisorySnapshot: snapshot?.id ?? null,
    };
  } finally {
    options.progress.finish();
  }
}

/** An image argument made readable: a staged local image, or a registry client with the manifest's digest. */
export interface OpenedImage {
  input: ImageInput;
  staged: StagedImage;
}

/**
 * Opens an image argument before any analysis, so that a missing file, an
 * unknown tag, an unreachable registry or rejected credentials fail at once.
 * Call `staged.cleanup()` when done.
 */
export async function openImage(input: ImageInput, options: Pick<ScoreInputOptions, "credentials" | "insecure">): Promise<OpenedImage> {
  return { input, staged: await openImageInput(input, options) };
}

async function openImageInput(input: ImageInput, options: Pick<ScoreInputOptions, "credentials" | "insecure">): Promise<StagedImage> {
  if (input.kind === "oci") return stageOciLayout(input.path, input.tag, input.text);
  if (input.kind === "docker-archive") return stageDockerArchive(input.path, input.text);

  const { reference } = input;
  const credentials = await findRegistryCredentials(reference.registry, options.credentials);
  const host = reference.registry === DOCKER_HUB_REGISTRY ? "registry-1.docker.io" : reference.registry;
  const plainHttp = options.insecure || isLoopbackHost(host);
  const source = createRegistrySource({
    kind: "distribution",
    url: `${plainHttp ? "http" : "https"}://${host}`,
    insecure: plainHttp,
    username: credentials?.username,
    password: credentials?.password,
  });
  const manifestReference = reference.digest ?? reference.tag!;
  let head;
  try {
    head = await source.headManifest(reference.repository, manifestReference);
  } catch (error) {
    if (error instanceof AppError && error.code === "REGISTRY_AUTH_FAILED") {
      // The client's own message names the server's REGISTRY_USERNAME and REGISTRY_PASSWORD, which the command line does not read.
      const hint = credentials ? `the credentials from ${credentials.origin} were rejected; check them` : "no credentials were found; set --username and --password, SHIPSHAPE_REGISTRY_USERNAME and SHIPSHAPE_REGISTRY_PASSWORD, or run `docker login`";
      throw new AppError("REGISTRY_AUTH_FAILED", `Registry ${host} rejected access to ${formatReference(reference)}: ${hint}.`, { cause: error });
    }
    // The client's own message points at the server's REGISTRY_URL, which the command line does not use.
    if (error instanceof AppError && (error.code === "REGISTRY_UNREACHABLE" || error.code === "TIMEOUT")) {
      const failure = error.code === "TIMEOUT" ? "timed out" : "failed";
      throw new AppError(
        error.code,
        `Connecting to ${plainHttp ? "http" : "https"}://${host} for ${formatReference(reference)} ${failure}. Check the host and port and that the registry is running${plainHttp ? "" : ", or pass --insecure for a plain-http registry"}.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (head === null) throw new AppError("NOT_FOUND", `${formatReference(reference)} was not found on ${reference.registry}. Check the repository and tag, and push the image first.`);
  return { source, repository: reference.repository, digest: head.digest, cleanup: async () => {} };
}

function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}
