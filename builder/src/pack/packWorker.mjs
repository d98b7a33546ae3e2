// Worker threads start without the parent's TypeScript loader, so register tsx before loading the
// TypeScript worker body. (Plain JS by necessity: this file is what makes TS loadable.)
import { register } from "tsx/esm/api";

register();
await import("./packWorker.ts");
