import { shortDigest } from "@/components/format";

const sourceLabels: Record<string, string> = {
  provenance: "from provenance",
  annotation: "from the base-image annotations",
  label: "from the base-image labels",
  layers: "from shared layers",
};

/** Renders the detected base image with where it was found, or why it is unknown. */
export function BaseImageFact({ base }: { base: { source: string | null; reference: string | null; digest: string | null; reason: string | null } }) {
  if (base.source === null) return <span className="text-slate-600">not detected yet</span>;
  if (base.source === "unknown") return <span className="text-slate-600">unknown: {base.reason}</span>;
  return (
    <span>
      <span className="font-mono">{base.reference ?? "unnamed image"}</span>
      {base.digest && (
        <span className="font-mono text-slate-500" title={base.digest}>
          {" "}
          @{shortDigest(base.digest)}
        </span>
      )}{" "}
      <span className="text-slate-500">({sourceLabels[base.source] ?? base.source})</span>
    </span>
  );
}
