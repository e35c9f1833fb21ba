/** Formatting shared by the pages; plain functions so server components can call them. */

export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

export function formatDate(value: Date | string | null): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function formatPercent(percent: number | null): string {
  if (percent === null) return "—";
  return `${Math.floor(percent * 10) / 10} %`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function repositoryPath(repositoryName: string): string {
  const [organization, ...rest] = repositoryName.split("/");
  return `/repository/${organization}/${encodeURIComponent(rest.join("/"))}`;
}
