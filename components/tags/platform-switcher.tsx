import { formatPercent, shortDigest } from "@/components/format";
import { GradeBadge } from "@/components/grades/grade-badge";
import { tagViewHref } from "@/components/tags/tag-view-href";

export interface PlatformChoice {
  digest: string;
  platform: string;
  grade: string | null;
  percent: number | null;
}

interface PlatformSwitcherProps {
  tagPath: string;
  platforms: PlatformChoice[];
  selected: string;
  /** The platform whose grade is the tag's. */
  worst: string;
}

/**
 * Renders one link per platform image of a multi-platform tag, each with its
 * grade, and marks the one shown. Links carry `?platform=DIGEST`, so the
 * switch works without JavaScript and each view can be shared.
 */
export function PlatformSwitcher({ tagPath, platforms, selected, worst }: PlatformSwitcherProps) {
  const worstPlatform = platforms.find((platform) => platform.digest === worst);
  return (
    <nav aria-label="Platforms" className="mb-6" data-testid="platform-switcher">
      <ul className="flex flex-wrap gap-2">
        {platforms.map((platform) => {
          const current = platform.digest === selected;
          return (
            <li key={platform.digest}>
              <a
                href={tagViewHref(tagPath, platform.digest)}
                aria-current={current ? "page" : undefined}
                data-platform-link={platform.platform}
                data-grade={platform.grade ?? "none"}
                className={`flex items-center gap-2 rounded-lg border px-3 py-2 text-sm ${
                  current ? "border-blue-600 bg-blue-50 font-semibold text-slate-900 ring-1 ring-blue-600" : "border-slate-200 bg-white text-slate-700 hover:border-slate-400"
                }`}
              >
                <GradeBadge grade={platform.grade} />
                <span>
                  {platform.platform}
                  <span className="block font-mono text-xs font-normal text-slate-600">
                    {shortDigest(platform.digest)} · {formatPercent(platform.percent)}
                    {platform.digest === worst ? " · worst" : ""}
                  </span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      <p className="mt-2 text-sm text-slate-600">
        {worstPlatform === undefined || worstPlatform.grade === null
          ? "No platform of this tag is graded yet. The tag's grade will be its worst platform's."
          : `The tag's grade is its worst platform's: ${worstPlatform.platform} with ${worstPlatform.grade}. The page opens on that platform.`}
      </p>
    </nav>
  );
}
