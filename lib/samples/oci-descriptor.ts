/** A content descriptor as OCI manifests and indexes write it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** The platform an image runs on, as in an index entry's `platform`. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Formats `platform` the way `--platform` takes it: `linux/arm64/v8`. */
export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant === undefined ? base : `${base}/${platform.variant}`;
}
