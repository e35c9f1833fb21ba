import { shortDigest } from "@/components/format";
import type { AttestationDetails } from "@/lib/data/get-tag-details";

const kindLabels: Record<AttestationDetails["kind"], string> = {
  sbom: "SBOM",
  provenance: "Provenance",
  openvex: "OpenVEX",
  other: "Other statement",
};

/** Renders each attestation attached to a platform image, with the facts its statement records. */
export function AttestationList({ attestations }: { attestations: AttestationDetails[] }) {
  if (attestations.length === 0) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="attestations-none">
        No attestations are attached to this image. Build with <code className="rounded bg-slate-100 px-1 font-mono">docker buildx build --sbom=true --provenance=mode=max</code> to
        attach an SBOM and max-mode provenance.
      </p>
    );
  }
  return (
    <ul className="space-y-3" aria-label="Attestations">
      {attestations.map((attestation) => (
        <li
          key={attestation.layerDigest}
          className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
          data-attestation={attestation.kind}
          data-provenance-mode={attestation.provenanceMode ?? undefined}
        >
          <h4 className="font-medium">
            {kindLabels[attestation.kind]}
            {attestation.provenanceMode !== null && <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs font-semibold">mode {attestation.provenanceMode}</span>}
          </h4>
          <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
            <dt className="text-slate-600">Predicate type</dt>
            <dd className="font-mono break-all">{attestation.predicateType}</dd>
            {attestation.provenanceMode !== null && (
              <>
                <dt className="text-slate-600">Provenance mode</dt>
                <dd data-testid="provenance-mode">{attestation.provenanceMode}</dd>
              </>
            )}
            <AttestationFacts attestation={attestation} />
            <dt className="text-slate-600">Stored in</dt>
            <dd className="font-mono break-all">
              <span title={attestation.manifestDigest}>{shortDigest(attestation.manifestDigest)}</span>, layer{" "}
              <span title={attestation.layerDigest}>{shortDigest(attestation.layerDigest)}</span>
            </dd>
          </dl>
          {attestation.detailsMissing !== null && <p className="mt-2 text-slate-600">{attestation.detailsMissing}</p>}
        </li>
      ))}
    </ul>
  );
}

function AttestationFacts({ attestation }: { attestation: AttestationDetails }) {
  const { sbom, provenance, openvex } = attestation;
  if (sbom !== null) {
    return (
      <>
        <dt className="text-slate-600">Document</dt>
        <dd className="break-all">
          {sbom.name ?? "unnamed"}
          {sbom.spdxVersion !== null && <span className="text-slate-600"> ({sbom.spdxVersion})</span>}
        </dd>
        <dt className="text-slate-600">Packages</dt>
        <dd data-testid="sbom-package-count">{sbom.packageCount ?? "not counted"}</dd>
        {sbom.problemCount > 0 && (
          <>
            <dt className="text-slate-600">Problems</dt>
            <dd>{sbom.problemCount} fields could not be read and were skipped</dd>
          </>
        )}
      </>
    );
  }
  if (provenance !== null) {
    return (
      <>
        <dt className="text-slate-600">Builder</dt>
        <dd className="font-mono break-all" data-testid="provenance-builder">
          {provenance.builderId ?? <span className="font-sans text-slate-600">not recorded</span>}
        </dd>
        <dt className="text-slate-600">Build type</dt>
        <dd className="font-mono break-all">{provenance.buildType ?? <span className="font-sans text-slate-600">not recorded</span>}</dd>
        {provenance.frontendImage !== null && (
          <>
            <dt className="text-slate-600">Frontend</dt>
            <dd className="font-mono break-all">{provenance.frontendImage}</dd>
          </>
        )}
        {(provenance.startedOn !== null || provenance.finishedOn !== null) && (
          <>
            <dt className="text-slate-600">Built</dt>
            <dd>
              {provenance.startedOn ?? "?"} to {provenance.finishedOn ?? "?"}
            </dd>
          </>
        )}
        <dt className="text-slate-600">Materials</dt>
        <dd>
          {provenance.materials.length === 0 ? (
            <span className="text-slate-600">none recorded</span>
          ) : (
            <ul className="list-disc pl-5" data-testid="provenance-materials">
              {provenance.materials.map((uri, index) => (
                <li key={index} className="font-mono break-all">
                  {uri}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </>
    );
  }
  if (openvex !== null) {
    return (
      <>
        <dt className="text-slate-600">Statements</dt>
        <dd>
          {openvex.statementCount}
          {openvex.author !== null && <span className="text-slate-600"> by {openvex.author}</span>}
        </dd>
      </>
    );
  }
  return null;
}
