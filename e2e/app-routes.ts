import { readdirSync } from "node:fs";
import path from "node:path";

/** Lists the app's routes from the files Next.js serves: `page.tsx` and `route.ts` under app/. */
export function appRoutes(directory = path.resolve("app"), prefix = ""): string[] {
  const routes: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const segment = entry.name.startsWith("(") ? "" : `/${entry.name}`;
      routes.push(...appRoutes(path.join(directory, entry.name), `${prefix}${segment}`));
    } else if (/^(page|route)\.tsx?$/.test(entry.name)) {
      routes.push(prefix === "" ? "/" : prefix);
    }
  }
  return routes;
}
