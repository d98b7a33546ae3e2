// Git repositories made by tests live in the testing workspace (no app dependencies); kept here for existing imports.
export * from "@doctown/testing/repos";
