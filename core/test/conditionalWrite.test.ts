import { describe, expect, it } from "vitest";
import { conditionalWrite } from "../src/conditionalWrite";

const failure = (name: string) => Object.assign(new Error(name), { name });

describe("conditionalWrite", () => {
  it("is true when written, false when the condition did not hold, and throws anything else", async () => {
    expect(await conditionalWrite(Promise.resolve({}))).toBe(true);
    expect(await conditionalWrite(Promise.reject(failure("ConditionalCheckFailedException")))).toBe(false);
    await expect(conditionalWrite(Promise.reject(failure("ProvisionedThroughputExceededException")))).rejects.toThrow("ProvisionedThroughputExceededException");
  });
});
