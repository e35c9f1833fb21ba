/**
 * Shapes of the JSON documents the samples write, for code that reads them
 * back. Optional fields are the ones some documents leave out.
 */

export interface DescriptorJson {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
  /** Base64 of the content, used by the OCI empty descriptor. */
  data?: string;
}

/** An OCI image manifest or Docker schema 2 manifest. */
export interface ManifestJson {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: DescriptorJson;
  layers: DescriptorJson[];
  subject?: DescriptorJson;
  annotations?: Record<string, string>;
}

/** An OCI image index or Docker manifest list. */
export interface IndexJson {
  schemaVersion: number;
  mediaType?: string;
  manifests: DescriptorJson[];
}

export interface ImageConfigJson {
  created?: string;
  architecture: string;
  variant?: string;
  os: string;
  config: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    Labels?: Record<string, string>;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

/** Parses UTF-8 JSON bytes as `T` without checking the shape. */
export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}
