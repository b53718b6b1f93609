import path from 'node:path';
import { Log, type LogOptions } from '../../log/index.js';
import { perTenant, type RequestContext, type Service } from '../service.js';
import { kinesisModel, kinesisService, type KinesisServiceOptions } from './index.js';

export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/**
 * Kinesis for many accounts and regions on one endpoint: each (account, region) of a request's credential scope gets a
 * log of its own, opened on first use. The account is the access key id when that is 12 digits (as LocalStack does),
 * else 000000000000; the region is the scope's when it looks like a region name, else us-east-1. With a data
 * directory, the default account and region keep the directory's root (so a single-tenant directory opens as before)
 * and the others live in `accounts/<account>/<region>/`.
 */
export class KinesisTenants {
  private readonly logs = new Map<string, Promise<Log>>();
  private readonly services = new Map<Log, Service>();

  constructor(
    private readonly logOptions: Omit<LogOptions, 'region' | 'accountId'>,
    private readonly serviceOptions: KinesisServiceOptions = {},
  ) {}

  /** The log of an account and region (opened on first use). */
  log(accountId = DEFAULT_ACCOUNT, region = DEFAULT_REGION): Promise<Log> {
    const key = `${accountId}/${region}`;
    let log = this.logs.get(key);
    if (!log) {
      const isDefault = accountId === DEFAULT_ACCOUNT && region === DEFAULT_REGION;
      const base = this.logOptions.dir;
      const dir = base === undefined ? undefined : isDefault ? base : path.join(base, 'accounts', accountId, region);
      log = Log.open({ ...this.logOptions, accountId, region, ...(dir !== undefined ? { dir } : {}) });
      this.logs.set(key, log);
      log.catch(() => this.logs.delete(key));
    }
    return log;
  }

  /** The Kinesis service for the server: requests go to their tenant's log. */
  service(): Service {
    const model = kinesisModel();
    return perTenant({ targetPrefix: model.model.targetPrefix, model, cbor: true }, (context) => this.serviceFor(context));
  }

  async serviceFor(context: RequestContext): Promise<Service> {
    const { accountId, region } = tenantOf(context);
    const log = await this.log(accountId, region);
    let service = this.services.get(log);
    if (!service) this.services.set(log, (service = kinesisService(log, this.serviceOptions)));
    return service;
  }

  async close(): Promise<void> {
    const logs = await Promise.allSettled(this.logs.values());
    for (const r of logs) if (r.status === 'fulfilled') await r.value.close();
  }
}

export function tenantOf(context: Pick<RequestContext, 'accessKeyId' | 'region'>): { accountId: string; region: string } {
  const accountId = context.accessKeyId !== undefined && /^\d{12}$/.test(context.accessKeyId) ? context.accessKeyId : DEFAULT_ACCOUNT;
  const region = context.region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(context.region) ? context.region : DEFAULT_REGION;
  return { accountId, region };
}
