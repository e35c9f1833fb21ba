import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A committed input that once found a fault, and the class that reads it. */
export interface CorpusEntry {
  /** Absolute path of the file. */
  file: string;
  className: string;
  /** In-image path of a package database. */
  path?: string;
}

/** Where a child starts and what it runs. */
export interface ChildRequest {
  seed: number;
  generatedPerClass: number;
  /** Input class names to run; all when empty. */
  classes: string[];
  /** When set, the child runs these files instead of the classes' cases, and caseIndex indexes this list. */
  corpus?: CorpusEntry[];
  classIndex: number;
  caseIndex: number;
}

interface MemoryFigures {
  heapUsed: number;
  rss: number;
}

export type ChildMessage =
  | { type: "start"; classIndex: number; caseIndex: number; className: string; caseName: string; generated: boolean }
  | { type: "end"; faults: string[]; durationMs: number }
  | { type: "crash"; reason: string }
  | { type: "done"; baseline: MemoryFigures; final: MemoryFigures; maxRssBytes: number };

export interface FuzzFault {
  className: string;
  caseIndex: number;
  caseName: string;
  seed: number;
  message: string;
}

export interface ClassFigures {
  fixed: number;
  generated: number;
  faults: number;
}

export interface FuzzReport {
  figures: Map<string, ClassFigures>;
  faults: FuzzFault[];
  /** Heap growth between the first case and the end of each child process, after garbage collection, in bytes. */
  heapGrowthBytes: number[];
  maxRssBytes: number;
  /** The slowest cases that finished, slowest first. */
  slowest: { className: string; caseName: string; durationMs: number }[];
}

export interface FuzzOptions {
  seed: number;
  /** Runs these corpus files instead of the generated cases. */
  corpus?: CorpusEntry[];
  generatedPerClass: number;
  classes?: string[];
  /** Time one case may take before its child is ended and the case reported as hung, in milliseconds. */
  caseTimeoutMs: number;
  /** Heap size of the child, in MiB; a case that exhausts it is reported as a crash. */
  maxHeapMb: number;
}

const CHILD_PATH = fileURLToPath(new URL("./fuzz-child.ts", import.meta.url));

/**
 * Runs every input class's fixed and generated cases, or the corpus files, in a child process.
 * A case that hangs past the timeout, or whose child crashes, is reported as
 * a fault, and a new child goes on with the next case.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { figures: new Map(), faults: [], heapGrowthBytes: [], maxRssBytes: 0, slowest: [] };
  let position = { classIndex: 0, caseIndex: 0 };
  for (;;) {
    const next = await runChild(options, position, report);
    if (next === null) return report;
    position = next;
  }
}

/** Runs one child from `position`; returns where the next child starts, or null when every case ran. */
function runChild(options: FuzzOptions, position: { classIndex: number; caseIndex: number }, report: FuzzReport): Promise<{ classIndex: number; caseIndex: number } | null> {
  const request: ChildRequest = { seed: options.seed, generatedPerClass: options.generatedPerClass, classes: options.classes ?? [], corpus: options.corpus, ...position };
  const child: ChildProcess = fork(CHILD_PATH, [JSON.stringify(request)], {
    execArgv: ["--import", "tsx", "--expose-gc", `--max-old-space-size=${options.maxHeapMb}`],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });

  let running: Extract<ChildMessage, { type: "start" }> | null = null;
  let crashReason: string | null = null;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;

  const fault = (message: string) => {
    const current = running!;
    report.faults.push({ className: current.className, caseIndex: current.caseIndex, caseName: current.caseName, seed: options.seed, message });
    report.figures.get(current.className)!.faults += 1;
  };

  return new Promise((resolve, reject) => {
    child.on("message", (message: ChildMessage) => {
      switch (message.type) {
        case "start": {
          running = message;
          const figures = report.figures.get(message.className) ?? { fixed: 0, generated: 0, faults: 0 };
          report.figures.set(message.className, figures);
          if (message.generated) figures.generated += 1;
          else figures.fixed += 1;
          clearTimeout(timer);
          timer = setTimeout(() => {
            fault(`hung: no result within ${options.caseTimeoutMs} ms`);
            child.kill("SIGKILL");
          }, options.caseTimeoutMs);
          break;
        }
        case "end":
          clearTimeout(timer);
          for (const text of message.faults) fault(text);
          recordDuration(report, running!, message.durationMs);
          break;
        case "crash":
          crashReason = message.reason;
          break;
        case "done":
          finished = true;
          report.heapGrowthBytes.push(message.final.heapUsed - message.baseline.heapUsed);
          report.maxRssBytes = Math.max(report.maxRssBytes, message.maxRssBytes);
          break;
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (finished && code === 0) {
        resolve(null);
        return;
      }
      if (running === null) {
        reject(new Error(`The fuzz child exited (code ${code}, signal ${signal}) before its first case: ${crashReason ?? stderr}`));
        return;
      }
      const current: Extract<ChildMessage, { type: "start" }> = running;
      const lastFault = report.faults.at(-1);
      const alreadyReported = lastFault?.className === current.className && lastFault.caseIndex === current.caseIndex && lastFault.message.startsWith("hung");
      if (!alreadyReported) {
        // Exit code 0 mid-case means the event loop emptied while the case's promise was pending: it would never settle.
        fault(code === 0 && crashReason === null ? "never settled: its promise was still pending when nothing was left to run" : `crashed the child (code ${code}, signal ${signal}): ${crashReason ?? stderr.slice(-1500)}`);
      }
      resolve({ classIndex: current.classIndex, caseIndex: current.caseIndex + 1 });
    });
  });
}

const SLOWEST_KEPT = 8;

function recordDuration(report: FuzzReport, running: { className: string; caseName: string }, durationMs: number): void {
  report.slowest.push({ className: running.className, caseName: running.caseName, durationMs });
  report.slowest.sort((a, b) => b.durationMs - a.durationMs);
  report.slowest.length = Math.min(report.slowest.length, SLOWEST_KEPT);
}
