// Offline synthesis into CloudFormation templates under .sst/dist/<stage> or the outdir given second (no AWS, no network).
import path from "node:path";
import { synthesizeApp } from "../stacks/synth";

process.env.NODE_ENV ??= "test"; // SST's offline path: bundle handlers, skip AWS lookups.
const stage = process.argv[2] ?? process.env.DOCTOWN_SYNTH_STAGE ?? "synth";
const outdir = path.resolve(process.argv[3] ?? path.join(".sst/dist", stage));
const app = await synthesizeApp(stage, outdir);
const assembly = app.synth();
for (const stack of assembly.stacks) console.log(`${stack.stackName}  ${path.relative(process.cwd(), path.join(outdir, stack.templateFile))}`);
