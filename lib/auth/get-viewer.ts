import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { getPrisma } from "@/lib/db";

/** The signed-in user as the data functions see them. Identity always comes from the session, never from input. */
export interface Viewer {
  id: string;
  email: string;
  name: string | null;
  isSiteAdmin: boolean;
}

/** Returns the signed-in user, or null for an anonymous visitor, a forged or expired cookie, or a disabled account. */
export async function getViewer(): Promise<Viewer | null> {
  const session = (await getServerSession(getAuthOptions())) as { uid?: unknown; sv?: unknown } | null;
  const userId = typeof session?.uid === "string" ? session.uid : null;
  if (!userId) return null;
  const user = await getPrisma().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, isSiteAdmin: true, disabledAt: true, sessionVersion: true },
  });
  // A session from before a sign-out or password change carries an older version and is refused.
  if (!user || user.disabledAt || session?.sv !== user.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, isSiteAdmin: user.isSiteAdmin };
}

/** Returns the signed-in user, or sends the visitor to the sign-in page. */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin");
  return viewer;
}
