/**
 * The fleet figure's world, in a worker thread of its own: the API Gateway emulator (one store and one
 * throttle per account and Region) and the STS emulator, seeded with the fleet's APIs and drift. Apart
 * from the run's event loop, as AWS is: twelve targets' requests are real CPU work at the emulator, and in
 * the run's own thread they would delay the run's pacing.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startEmulator } from "../emulator/server.ts";
import { startStsEmulator } from "../emulator/sts.ts";
import { documents } from "../lib/desired-state/state.ts";
import { planApi } from "../lib/plan/plan.ts";
import { type FleetOptions, fleetDocs } from "./fleet.ts";
import { driftFields } from "./world.ts";

const options = workerData as FleetOptions;
const { docs, targets, drifted, home } = fleetDocs(options);
const sts = await startStsEmulator({ defaultAccount: home.account });
const emulator = await startEmulator({
  seed: options.shape.seed,
  accounts: (key) => sts.identityOf(key).account,
});
for (const t of targets) {
  const at = emulator.at(t);
  for (const { doc } of documents(t.state)) {
    at.addApi({ apiId: doc.apiId, name: doc.apiId, protocolType: doc.protocol });
    for (const [integrationId, declared] of Object.entries(doc.integrations)) {
      at.addIntegration(doc.apiId, { integrationId, ...declared });
    }
  }
  drifted.get(t.name)!.forEach(({ apiId, integrationId }, j) => {
    at.overwriteIntegration(
      apiId,
      integrationId,
      driftFields(at.getIntegration(apiId, integrationId) ?? {}, j),
    );
  });
  // Last: a new throttle starts with a full bucket, as an idle account's does.
  at.faults.configure({
    throttle: { ratePerSecond: options.quota.rate, burst: options.quota.burst },
    tooManyRequests: { probability: options.tooManyRequests },
  });
}
parentPort!.postMessage({ apigateway: emulator.url, sts: sts.url });
parentPort!.once("message", async () => {
  // What reached each target, and whether any of it was signed by another target's key or for its Region.
  const inspected = targets.map((t) => {
    const requests = emulator.calls.filter({ account: t.account, region: t.region });
    const driftLeft = documents(t.state).reduce(
      (n, { doc }) =>
        n +
        planApi({
          desired: doc,
          live: emulator.at(t).listIntegrations(doc.apiId),
          prune: false,
          now: Date.now(),
        }).filter((p) => p.result.status !== "IN_SYNC").length,
      0,
    );
    return {
      target: t.name,
      requests: requests.length,
      firstAt: requests[0]?.at ?? 0,
      lastAt: requests.at(-1)?.at ?? 0,
      foreign: requests.filter(
        (c) => sts.identityOf(c.accessKeyId).account !== c.account || c.signedRegion !== c.region,
      ).length,
      driftLeft,
    };
  });
  parentPort!.postMessage({ targets: inspected, stsRequests: sts.calls.length, docs: docs.length });
  await emulator.close();
  await sts.close();
});
