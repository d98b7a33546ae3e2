// GET /auth/github/setup?installation_id=N&setup_action=install|update: where GitHub sends the
// browser after "Install on GitHub". The id is only a claim: it is recorded when the signed-in
// user's own token shows the installation (the webhook records it as well, signed).
import { DASHBOARD_PATH, optionalUserId, redirect, route } from "../http";
import { recordInstallationSeenByUser } from "@doctown/core/installationAccess";
import { BadRequest } from "@doctown/core/errors";

export const handler = route(async (req) => {
  const userId = await optionalUserId(req);
  // Signed out: sign in first; the installation arrives by webhook meanwhile, or on the next visit here.
  if (!userId) return redirect("/auth/github/login");
  const raw = req.query.installation_id;
  // "request": an organisation member asked an owner to install; nothing is installed yet.
  if (raw === undefined || req.query.setup_action === "request") return redirect(DASHBOARD_PATH);
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw new BadRequest("invalid_installation_id", "installation_id must be a positive integer.");
  const outcome = await recordInstallationSeenByUser(userId, Number(raw));
  return redirect(`${DASHBOARD_PATH}?installation=${outcome}`);
});
