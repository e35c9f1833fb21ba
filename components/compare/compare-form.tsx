import { repositoryPath } from "@/components/format";

interface CompareFormProps {
  repositoryName: string;
  /** The values from the URL, kept in the fields so a mistake can be corrected. */
  a: string | null;
  b: string | null;
  /** Tag names offered as suggestions. */
  tagNames: string[];
}

/** Renders the choice of the two tags as a GET form, so every comparison is a URL that can be shared. */
export function CompareForm({ repositoryName, a, b, tagNames }: CompareFormProps) {
  const fieldClass = "mt-1 block w-64 rounded border border-slate-300 bg-white px-2 py-1 font-mono";
  return (
    <form method="get" action={`${repositoryPath(repositoryName)}/compare`} className="mb-6 flex flex-wrap items-end gap-x-6 gap-y-3 text-sm" aria-label="Choose tags to compare">
      <div>
        <label htmlFor="compare-a" className="text-slate-600">
          Tag A (old)
        </label>
        <input id="compare-a" name="a" list="compare-tag-names" defaultValue={a ?? ""} required className={fieldClass} aria-describedby="compare-hint" />
      </div>
      <div>
        <label htmlFor="compare-b" className="text-slate-600">
          Tag B (new)
        </label>
        <input id="compare-b" name="b" list="compare-tag-names" defaultValue={b ?? ""} required className={fieldClass} aria-describedby="compare-hint" />
      </div>
      <datalist id="compare-tag-names">
        {tagNames.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white hover:bg-slate-700">
        Compare
      </button>
      <p id="compare-hint" className="basis-full text-slate-600">
        Write a tag name, or TAG@PLATFORM such as <span className="font-mono">latest@linux/arm64/v8</span> to choose one platform of a multi-platform tag.
        Without a platform, the first platform both tags have is compared.
      </p>
    </form>
  );
}
