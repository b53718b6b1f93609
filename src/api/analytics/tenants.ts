import path from 'node:path';
import type { Log } from '../../log/index.js';
import type { KinesisTenants } from '../kinesis/tenants.js';
import { tenantOf } from '../kinesis/tenants.js';
import { perTenant, type RequestContext, type Service } from '../service.js';
import { analyticsModel, analyticsService, type AnalyticsService, type AnalyticsServiceOptions } from './index.js';

/**
 * Kinesis Analytics for many accounts and regions, beside KinesisTenants: each (account, region) gets its own
 * applications over that tenant's log. With a data directory they are kept in the tenant's `analytics/` directory
 * (applications.json and checkpoints), and applications that were RUNNING resume when the tenant is first used.
 */
export class AnalyticsTenants {
  private readonly services = new Map<Log, Promise<AnalyticsService>>();

  constructor(
    private readonly kinesis: KinesisTenants,
    private readonly options: Omit<AnalyticsServiceOptions, 'stateDir'> = {},
  ) {}

  /** The Kinesis Analytics service for the server: requests go to their tenant's applications. */
  service(): Service {
    const model = analyticsModel();
    return perTenant({ targetPrefix: model.model.targetPrefix, model, cbor: false }, (context) => this.serviceFor(context));
  }

  async serviceFor(context: Pick<RequestContext, 'accessKeyId' | 'region'>): Promise<AnalyticsService> {
    const { accountId, region } = tenantOf(context);
    const log = await this.kinesis.log(accountId, region);
    let service = this.services.get(log);
    if (!service) {
      const dir = log.options.dir;
      const created = analyticsService(log, { ...this.options, ...(dir !== undefined ? { stateDir: path.join(dir, 'analytics') } : {}) });
      service = created.resume().then(() => created);
      this.services.set(log, service);
    }
    return service;
  }

  /** One round of every running application of every tenant (with pollIntervalMs 0, the only rounds there are). */
  async pollAll(): Promise<void> {
    for (const service of this.services.values()) await (await service).pollAll();
  }

  /** Stops every running application (they resume on the next start); call before closing the logs. */
  async close(): Promise<void> {
    const services = await Promise.allSettled(this.services.values());
    for (const r of services) if (r.status === 'fulfilled') await r.value.close();
  }
}
