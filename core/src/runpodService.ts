/** The RunPod client of this stage, built on first use (secrets RUNPOD_API_KEY/ENDPOINT_ID, setting RUNPOD_API_URL). */
import { runpodApiUrl, secret } from "./config";
import { createRunpodClient, type RunpodClient } from "./runpod";
import { service } from "./services";

export function runpod(): RunpodClient {
  return service("runpod", () =>
    createRunpodClient({ apiUrl: runpodApiUrl(), apiKey: secret("RUNPOD_API_KEY"), endpointId: secret("RUNPOD_ENDPOINT_ID") }),
  );
}
