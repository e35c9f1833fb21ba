import type { RegistrySource } from "@/lib/registry/registry-source";

/** A status line on a terminal for the slow steps: starting the store, and each layer fetched and read. */
export interface Progress {
  step(message: string): void;
  /** Clears the status line, so the report starts on a clean line. */
  finish(): void;
}

/** Minimum time between redraws of the byte count, in ms. */
const REDRAW_INTERVAL_MS = 100;

/**
 * Decides whether progress is shown: only when stderr is a terminal, CI is not
 * set (GitHub Actions and GitLab CI set CI=true), and --quiet was not given.
 */
export function progressEnabled(options: { quiet: boolean; isTerminal: boolean; environment: Readonly<Record<string, string | undefined>> }): boolean {
  const ci = options.environment.CI;
  return !options.quiet && options.isTerminal && (ci === undefined || ci === "" || ci === "false");
}

/** Creates a progress line on `output`, or one that prints nothing when disabled. */
export function createProgress(enabled: boolean, output: { write(text: string): unknown }): Progress {
  if (!enabled) return { step: () => {}, finish: () => {} };
  let lineVisible = false;
  return {
    step(message) {
      output.write(`\r\u001b[2K${message}`);
      lineVisible = true;
    },
    finish() {
      if (lineVisible) output.write("\r\u001b[2K");
      lineVisible = false;
    },
  };
}

/** Wraps a source so each layer streamed through `openBlob` reports its number, digest and bytes read. */
export function withLayerProgress(source: RegistrySource, progress: Progress): RegistrySource {
  let layerNumber = 0;
  return {
    ping: () => source.ping(),
    listRepositories: (options) => source.listRepositories(options),
    listTags: (repository, options) => source.listTags(repository, options),
    headManifest: (repository, reference) => source.headManifest(repository, reference),
    getManifest: (repository, reference) => source.getManifest(repository, reference),
    getBlob: (repository, digest, options) => source.getBlob(repository, digest, options),
    async openBlob(repository, digest, options) {
      layerNumber += 1;
      const label = `Reading layer ${layerNumber} (${digest.slice(0, 19)})`;
      const blob = await source.openBlob(repository, digest, options);
      const total = blob.size === null ? "" : ` of ${formatBytes(blob.size)}`;
      let read = 0;
      let drawnAt = 0;
      progress.step(`${label}: 0 B${total}`);
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          const now = Date.now();
          if (now - drawnAt >= REDRAW_INTERVAL_MS) {
            drawnAt = now;
            progress.step(`${label}: ${formatBytes(read)}${total}`);
          }
          controller.enqueue(chunk);
        },
        flush() {
          progress.step(`${label}: ${formatBytes(read)}${total}, done`);
        },
      });
      return { ...blob, stream: blob.stream.pipeThrough(counter) };
    },
  };
}

/** Formats a byte count with binary units: "512 B", "3.4 MiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
