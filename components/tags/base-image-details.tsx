import { formatDate } from "@/components/format";
import type { BaseImageDetails as Details } from "@/lib/data/get-tag-details";

const sourceDescriptions: Record<string, string> = {
  provenance: "the provenance attestation's materials",
  annotation: "the org.opencontainers.image.base.* annotations",
  label: "the org.opencontainers.image.base.* labels",
  layers: "the longest run of bottom layers shared with a known image",
};

const freshnessStyles = {
  current: { label: "Up to date", className: "bg-green-100 text-green-800" },
  outdated: { label: "Outdated", className: "bg-red-100 text-red-800" },
  unknown: { label: "Not known", className: "bg-slate-200 text-slate-700" },
} as const;

/** Renders the base image: its reference and digest, where it was found, the base tag's current digest, and whether the image is built on it. */
export function BaseImageDetails({ base }: { base: Details }) {
  const freshness = freshnessStyles[base.freshness.state];
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="base-image-details" data-source={base.source ?? "none"} data-freshness={base.freshness.state}>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        <dt className="text-slate-600">Reference</dt>
        <dd className="font-mono break-all">{base.reference ?? <span className="font-sans text-slate-600">not known</span>}</dd>
        <dt className="text-slate-600">Built on digest</dt>
        <dd className="font-mono break-all">{base.digest ?? <span className="font-sans text-slate-600">not known</span>}</dd>
        <dt className="text-slate-600">Found in</dt>
        <dd data-testid="base-image-source">{describeSource(base)}</dd>
        <dt className="text-slate-600">Base tag now</dt>
        <dd className="break-all" data-testid="base-tag-now">
          <BaseTagNow base={base} />
        </dd>
        <dt className="text-slate-600">Status</dt>
        <dd>
          <span className={`mr-2 rounded px-2 py-0.5 text-xs font-semibold ${freshness.className}`}>{freshness.label}</span>
          <span className="break-all">{base.freshness.reason}</span>
        </dd>
      </dl>
    </div>
  );
}

function describeSource(base: Details): string {
  if (base.source === null) return "not looked for yet: the base image is detected when the image is synced";
  if (base.source === "unknown") return `unknown: ${base.reason ?? "no source named a base image"}`;
  return `${base.source}: ${sourceDescriptions[base.source] ?? base.source}`;
}

function BaseTagNow({ base }: { base: Details }) {
  if (base.tagReference === null) return <span className="text-slate-600">no tag to follow</span>;
  if (base.tag === null) {
    return (
      <>
        <span className="font-mono">{base.tagReference}</span> <span className="text-slate-600">has not been looked up yet</span>
      </>
    );
  }
  if (base.tag.status === "unknown") {
    return (
      <>
        <span className="font-mono">{base.tagReference}</span>{" "}
        <span className="text-slate-600">
          could not be resolved at {formatDate(base.tag.resolvedAt)}: {base.tag.reason}
          {base.tag.lastDigest !== null && (
            <>
              {" "}
              The last known digest is <span className="font-mono">{base.tag.lastDigest}</span>.
            </>
          )}
        </span>
      </>
    );
  }
  return (
    <>
      <span className="font-mono">{base.tagReference}</span> → <span className="font-mono">{base.tag.digest}</span>{" "}
      <span className="text-slate-600">(resolved {formatDate(base.tag.resolvedAt)})</span>
    </>
  );
}
