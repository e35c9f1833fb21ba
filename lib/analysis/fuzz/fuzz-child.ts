/**
 * The child process of a fuzz run: feeds the cases of every input class,
 * from a start position, to the analyser and reports each to the parent over
 * IPC. It runs apart from the test process so that the parent can end a case
 * that hangs, and so that a crash or an exhausted heap ends only this process.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

import { inputClasses } from "@/lib/analysis/fuzz/input-classes";
import { caseSeed, createRandom } from "@/lib/analysis/fuzz/random";
import type { ChildMessage, ChildRequest, CorpusEntry } from "@/lib/analysis/fuzz/run-fuzz";

const request = JSON.parse(process.argv[2] ?? "{}") as ChildRequest;
const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

// Reported as the fault of the running case, because the parent receives this message before the exit.
process.on("uncaughtException", (error) => {
  void send({ type: "crash", reason: `uncaught exception: ${error.stack ?? String(error)}` }).then(() => process.exit(70));
});
process.on("unhandledRejection", (reason) => {
  void send({ type: "crash", reason: `unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}` }).then(() => process.exit(70));
});

function heapAfterGc(): { heapUsed: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** Runs a case and reports its start, its faults and its duration to the parent. */
async function runCase(start: Extract<ChildMessage, { type: "start" }>, run: () => Promise<string[]>): Promise<void> {
  await send(start);
  let faults: string[];
  const started = performance.now();
  try {
    faults = await run();
  } catch (error) {
    faults = [`the fuzz runner itself raised ${error instanceof Error ? error.message : String(error)}`];
  }
  await send({ type: "end", faults, durationMs: Math.round(performance.now() - started) });
}

async function runCorpus(corpus: CorpusEntry[]): Promise<void> {
  for (let caseIndex = request.caseIndex; caseIndex < corpus.length; caseIndex += 1) {
    const entry = corpus[caseIndex]!;
    const inputClass = inputClasses.find((candidate) => candidate.name === entry.className);
    if (inputClass === undefined) throw new Error(`Unknown input class ${entry.className} for corpus file ${entry.file}.`);
    const bytes = new Uint8Array(readFileSync(entry.file));
    const name = basename(entry.file);
    await runCase({ type: "start", classIndex: 0, caseIndex, className: entry.className, caseName: name, generated: false }, () => inputClass.run({ name, bytes, path: entry.path }));
  }
}

async function main(): Promise<void> {
  let baseline: { heapUsed: number; rss: number } | null = null;
  if (request.corpus) {
    await runCorpus(request.corpus);
    baseline = heapAfterGc();
  }
  const classIndexes = request.corpus ? [] : inputClasses.keys();
  for (const classIndex of classIndexes) {
    if (classIndex < request.classIndex) continue;
    const inputClass = inputClasses[classIndex]!;
    if (request.classes.length > 0 && !request.classes.includes(inputClass.name)) continue;
    const fixed = inputClass.fixedCases();
    const total = fixed.length + request.generatedPerClass;
    const first = classIndex === request.classIndex ? request.caseIndex : 0;
    for (let caseIndex = first; caseIndex < total; caseIndex += 1) {
      const fuzzCase = caseIndex < fixed.length ? fixed[caseIndex]! : inputClass.generate(createRandom(caseSeed(request.seed, inputClass.name, caseIndex)));
      await runCase({ type: "start", classIndex, caseIndex, className: inputClass.name, caseName: fuzzCase.name, generated: caseIndex >= fixed.length }, () => inputClass.run(fuzzCase));
      baseline ??= heapAfterGc();
    }
  }
  const final = heapAfterGc();
  await send({ type: "done", baseline: baseline ?? final, final, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
}

void main().then(() => process.exit(0));
