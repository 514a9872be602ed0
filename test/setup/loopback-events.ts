/**
 * Every test file gets a loopback CloudTrail (emulator/cloudtrail.ts) behind AWS_ENDPOINT_URL_CLOUDTRAIL and
 * a loopback EventBridge (emulator/eventbridge.ts) behind AWS_ENDPOINT_URL_EVENTBRIDGE, unless the file
 * points them elsewhere: a plan or apply that finds drift looks up who changed it (PRODUCT §8), and the
 * Lambda sends notifications, and a test must never reach the real endpoints. This CloudTrail records
 * nothing (no API Gateway emulator feeds it) and does not throttle, so a run finds no author, quickly.
 */
import { afterAll, beforeAll } from "vitest";
import { type CloudTrailEmulator, startCloudTrailEmulator } from "../../emulator/cloudtrail.ts";
import { type EventBridgeEmulator, startEventBridgeEmulator } from "../../emulator/eventbridge.ts";

let trail: CloudTrailEmulator | undefined;
let bus: EventBridgeEmulator | undefined;
beforeAll(async () => {
  [trail, bus] = await Promise.all([
    startCloudTrailEmulator({ throttle: false }),
    startEventBridgeEmulator(),
  ]);
  process.env.AWS_ENDPOINT_URL_CLOUDTRAIL = trail.url;
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.url;
});
afterAll(async () => {
  await Promise.all([trail?.close(), bus?.close()]);
});
