// GET /api/session: what every page asks first, signed in or not (always 200, so a signed-out
// visit logs no failed request): the user or null, which sign-in this stage offers, and which
// features can work here. The dashboard never probes routes to find out.
import { isLocalStage, optionalSecret } from "@doctown/core/config";
import { findUser } from "@doctown/core/user";
import { devSignInEnabled } from "./auth/dev";
import { json, optionalUserId, route } from "./http";
import { userView } from "./views";

export const handler = route(async (req) => {
  const userId = await optionalUserId(req);
  const user = userId ? await findUser(userId) : null;
  const local = isLocalStage();
  return json(200, {
    user: user ? userView(user) : null,
    sign_in: devSignInEnabled() ? "dev" : "github",
    local_stage: local,
    // Pushes reach a deployed stage's webhook; a local stack only when a webhook secret is set
    // (someone forwards GitHub's deliveries to it).
    build_on_push: !local || optionalSecret("GITHUB_WEBHOOK_SECRET") !== undefined,
  });
});
