// GET /api/docpacks/{id}/download: 302 to a presigned GET valid for minutes. Public docpacks are
// open to everyone; a private one only to its owner (anyone else gets 404).
import { getVisibleDocpack } from "@doctown/core/docpack";
import { presignGet } from "@doctown/core/storage";
import { optionalUserId, pathParam, redirect, route } from "../http";

export const handler = route(async (req) => {
  const docpack = await getVisibleDocpack(pathParam(req, "id"), await optionalUserId(req));
  const name = `${docpack.repo.split("/").slice(-2).join("-")}-${docpack.commit.slice(0, 12)}.docpack.zip`;
  return redirect(await presignGet(docpack.objectKey, { filename: name }));
});
