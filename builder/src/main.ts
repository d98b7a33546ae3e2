/** Process entry of the CLI (see cli.ts); kept apart so tests can call runCli without exiting. */
import { runCli } from "./cli";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
