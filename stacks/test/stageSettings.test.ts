import { describe, expect, it } from "vitest";
import { DEFAULT_RUNPOD_API_URL, lambdaTimeout, stageSettings } from "../stageSettings";

describe("a stage's deploy-time settings", () => {
  it("default to RunPod's API and the distribution's URL", () => {
    expect(stageSettings({})).toEqual({ runpodApiUrl: DEFAULT_RUNPOD_API_URL, siteUrl: undefined });
  });

  it("take RUNPOD_API_URL and DOCTOWN_SITE_URL from the environment (.env.<stage>)", () => {
    expect(stageSettings({ RUNPOD_API_URL: "https://proxy.example/v2/", DOCTOWN_SITE_URL: "https://docs.example.org/x" })).toEqual({
      runpodApiUrl: "https://proxy.example/v2",
      siteUrl: "https://docs.example.org",
    });
  });

  it("refuse plain http except for a stand-in on this machine, naming the setting", () => {
    expect(() => stageSettings({ RUNPOD_API_URL: "http://runpod.example/v2" })).toThrow(/RUNPOD_API_URL must be an https URL/);
    expect(() => stageSettings({ DOCTOWN_SITE_URL: "javascript:alert(1)" })).toThrow(/DOCTOWN_SITE_URL/);
    expect(stageSettings({ RUNPOD_API_URL: "http://127.0.0.1:8080/v2" }).runpodApiUrl).toBe("http://127.0.0.1:8080/v2");
  });

  it("give a Lambda more time than its calls' own retries", () => {
    expect(lambdaTimeout({ runpodCalls: 2 })).toBeGreaterThan(2 * (3 * 10 + 0.75));
    expect(lambdaTimeout({ runpodCalls: 1, githubCalls: 1 })).toBeGreaterThan(3 * 10 + 0.75 + 10);
  });
});
