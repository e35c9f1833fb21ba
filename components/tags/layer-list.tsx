import { formatBytes, formatDate, shortDigest } from "@/components/format";
import { packagesHref } from "@/components/tags/packages-href";
import type { BuildStep, LayerDetails, LayersView } from "@/lib/data/get-tag-details";

interface LayerListProps {
  view: LayersView;
  tagPath: string;
  platformDigest: string;
  /** Whether the image's packages have been read. Before that, no layer lists any. */
  analysed: boolean;
}

/**
 * Renders the image's build bottom-up: each layer with its position,
 * compressed size, the history step that made it and the packages it added,
 * and between them the steps that add no layer (USER, CMD …).
 */
export function LayerList({ view, tagPath, platformDigest, analysed }: LayerListProps) {
  if (view.layerCount === 0) {
    return <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600">The image manifest lists no layers.</p>;
  }
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <p className="text-slate-600">
        {view.layerCount} {view.layerCount === 1 ? "layer" : "layers"}, {formatBytes(view.totalSize)} compressed, bottom layer first.
        {!analysed && " The packages each layer added appear when the image has been analysed."}
        {analysed && view.packagesOutsideLayers > 0 && ` ${view.packagesOutsideLayers} packages have no known layer and are listed only in the package table.`}
      </p>
      {view.historyProblem !== null && (
        <p className="mt-2 rounded border border-amber-200 bg-amber-50 p-2 text-amber-950" data-testid="layers-history-problem">
          {view.historyProblem}
        </p>
      )}
      <ol className="mt-3 space-y-2" aria-label="Build steps and layers" data-testid="layers">
        {view.entries.map((entry, index) =>
          entry.kind === "layer" ? (
            <LayerItem key={index} layer={entry.layer} layerCount={view.layerCount} tagPath={tagPath} platformDigest={platformDigest} analysed={analysed} />
          ) : (
            <li key={index} className="px-3 text-slate-600" data-step="config">
              <span className="sr-only">Build step without a layer: </span>
              <code className="font-mono text-xs break-all">{entry.step.createdBy ?? "command not recorded"}</code>
            </li>
          ),
        )}
      </ol>
      {view.historyProblem !== null && view.history.length > 0 && (
        <details className="mt-3">
          <summary className="cursor-pointer text-blue-700">The image config&apos;s history ({view.history.length} steps)</summary>
          <ol className="mt-2 list-decimal space-y-1 pl-6">
            {view.history.map((step, index) => (
              <li key={index}>
                <StepCommand step={step} />
                {step.emptyLayer && <span className="text-slate-600"> (no layer)</span>}
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

function LayerItem({ layer, layerCount, tagPath, platformDigest, analysed }: { layer: LayerDetails; layerCount: number; tagPath: string; platformDigest: string; analysed: boolean }) {
  const unlisted = layer.packageCount - layer.packages.length;
  return (
    <li className="rounded border border-slate-200 p-3" data-layer-position={layer.position + 1} data-layer={layer.digest}>
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="font-semibold">
          Layer {layer.position + 1} of {layerCount}
        </span>
        <span className="font-mono text-slate-600" title={layer.digest}>
          {shortDigest(layer.digest)}
        </span>
        <span data-testid="layer-size">{formatBytes(layer.size)}</span>
        {layer.step?.created && <span className="text-slate-600">created {formatDate(layer.step.created)}</span>}
      </div>
      <p className="mt-1" data-testid="layer-command">
        {layer.step === null ? <span className="text-slate-600">command not known</span> : <StepCommand step={layer.step} />}
      </p>
      {analysed && (
        <div className="mt-1">
          {layer.packageCount === 0 ? (
            <p className="text-slate-600" data-testid="layer-packages">
              Added no packages.
            </p>
          ) : (
            <details data-testid="layer-packages">
              <summary className="cursor-pointer text-blue-700">
                Added {layer.packageCount} {layer.packageCount === 1 ? "package" : "packages"}
              </summary>
              <ul className="mt-2 grid gap-x-4 sm:grid-cols-2 lg:grid-cols-3">
                {layer.packages.map((item, index) => (
                  <li key={index} className="break-all">
                    {item.name} <span className="font-mono text-slate-600">{item.version}</span> <span className="text-xs text-slate-600">({item.type})</span>
                  </li>
                ))}
              </ul>
              <p className="mt-2">
                {unlisted > 0 && `…and ${unlisted} more. `}
                <a href={packagesHref(tagPath, platformDigest, { layer: layer.digest })} className="text-blue-700 hover:underline">
                  Show the packages of layer {layer.position + 1} in the package table
                </a>
              </p>
            </details>
          )}
        </div>
      )}
    </li>
  );
}

function StepCommand({ step }: { step: BuildStep }) {
  if (step.createdBy === null) return <span className="text-slate-600">command not recorded</span>;
  return (
    <>
      <code className="rounded bg-slate-100 px-1 font-mono text-xs break-all">{step.createdBy}</code>
      {step.comment !== null && <span className="ml-2 text-xs text-slate-600">{step.comment}</span>}
    </>
  );
}
