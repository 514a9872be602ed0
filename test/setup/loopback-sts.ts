/**
 * Every test file gets a loopback STS (emulator/sts.ts) behind AWS_ENDPOINT_URL_STS, unless the file points
 * it elsewhere: a run asks STS whose credentials it has (the account guard), and a test must never reach
 * the real endpoint. The test credentials ("test") are a user of 123456789012, the example files' account.
 */
import { afterAll, beforeAll } from "vitest";
import { type StsEmulator, startStsEmulator } from "../../emulator/sts.ts";

let sts: StsEmulator | undefined;
beforeAll(async () => {
  sts = await startStsEmulator({ defaultAccount: "123456789012" });
  process.env.AWS_ENDPOINT_URL_STS = sts.url;
});
afterAll(async () => {
  await sts?.close();
});
