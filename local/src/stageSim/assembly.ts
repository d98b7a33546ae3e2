/**
 * The synthesized cloud assembly as `sst deploy` would upload it: every stack's template (JSON) and
 * the asset manifests that say which `asset.<hash>` directory or file an `S3Key` in a template is.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: unknown };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }> };
export type StackTemplate = { stackName: string; template: Template };

export type Assembly = {
  outdir: string;
  stacks: StackTemplate[];
  /** The local path of the asset uploaded under this S3 object key. */
  assetPath(objectKey: string): string;
  /** Every resource of a type, across stacks, with the stack that holds it. */
  resourcesOfType(type: string): { stack: StackTemplate; logicalId: string; resource: Resource }[];
};

type CdkManifest = { artifacts: Record<string, { type: string; properties?: { templateFile?: string; file?: string } }> };
type AssetManifest = { files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }> };

export function readAssembly(outdir: string): Assembly {
  const manifestPath = join(outdir, "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`No cloud assembly at ${outdir} (manifest.json missing): synthesize first.`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CdkManifest;
  const stacks: StackTemplate[] = [];
  const assets = new Map<string, string>();
  for (const [id, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type === "aws:cloudformation:stack" && artifact.properties?.templateFile) {
      stacks.push({ stackName: id, template: JSON.parse(readFileSync(join(outdir, artifact.properties.templateFile), "utf8")) });
    }
    if (artifact.type === "cdk:asset-manifest" && artifact.properties?.file) {
      const assetManifest = JSON.parse(readFileSync(join(outdir, artifact.properties.file), "utf8")) as AssetManifest;
      for (const file of Object.values(assetManifest.files)) {
        for (const destination of Object.values(file.destinations)) assets.set(destination.objectKey, join(outdir, file.source.path));
      }
    }
  }
  return {
    outdir,
    stacks,
    assetPath(objectKey) {
      const path = assets.get(objectKey);
      if (!path) throw new Error(`No asset in the assembly for S3 key ${objectKey}.`);
      return path;
    },
    resourcesOfType(type) {
      return stacks.flatMap((stack) =>
        Object.entries(stack.template.Resources)
          .filter(([, resource]) => resource.Type === type)
          .map(([logicalId, resource]) => ({ stack, logicalId, resource })),
      );
    },
  };
}
