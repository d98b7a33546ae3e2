// GET /api/session: what every page asks first, signed in or not (always 200, so a signed-out
// visit logs no failed request): the user or null, which sign-in this stage offers, and which
// features can work here. The dashboard never probes routes to find out.
import { isLocalStage, optionalSecret } from "@doctown/core/config";
import { findUser } from "@doctown/core/user";
import { devSignInEnabled } from "./auth/dev";
import { json, optionalUserId, route } from "./http";
import { sessionView } from "./views";

export const handler = route(async (req) => {
  const userId = await optionalUserId(req);
  const user = userId ? await findUser(userId) : null;
  const local = isLocalStage();
  // Pushes reach a deployed stage's webhook; a local stack only when a webhook secret is set
  // (someone forwards GitHub's deliveries to it).
  const buildOnPush = !local || optionalSecret("GITHUB_WEBHOOK_SECRET") !== undefined;
  return json(200, sessionView(user, devSignInEnabled() ? "dev" : "github", local, buildOnPush));
});
