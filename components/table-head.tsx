export interface Column {
  label: string;
  align?: "left" | "right";
  /** Shown to screen readers only, for columns of buttons. */
  hidden?: boolean;
}

/** Renders the header row shared by the dashboard's tables. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead className="bg-slate-100 text-left text-slate-600">
      <tr>
        {columns.map((column) => (
          <th key={column.label} scope="col" className={`px-3 py-2${column.align === "right" ? " text-right" : ""}`}>
            {column.hidden ? <span className="sr-only">{column.label}</span> : column.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}
