import { GraphQLError } from 'graphql';
import mongoose, { Types } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { createLogger } from '../logger';
import { uniqueDbName } from '../testing';
import { addressKey, RequestBudgetCounter } from './request-budget';
import type { BudgetedRequest, RequestBudgetConfig } from './request-budget';

beforeAll(() =>
  connectDatabase(testMongoUri(), { dbName: uniqueDbName('budget'), monitorCommands: true }),
);
afterAll(() => disconnectDatabase());

const logger = createLogger('silent');
const config: RequestBudgetConfig = {
  perIp: { points: 5, seconds: 60 },
  perUser: { points: 8, seconds: 60 },
  // Long enough never to fire during a test: the tests flush by hand.
  flushIntervalMs: 60_000,
};

/** How many of `count` requests pass, and the last refusal. */
function send(
  counter: RequestBudgetCounter,
  request: BudgetedRequest,
  count: number,
): { admitted: number; refusal: GraphQLError | undefined } {
  let admitted = 0;
  let refusal: GraphQLError | undefined;
  for (let i = 0; i < count; i += 1) {
    try {
      counter.admit(request);
      admitted += 1;
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      refusal = error;
    }
  }
  return { admitted, refusal };
}

describe('addressKey', () => {
  it('counts IPv4 as it is and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('RequestBudgetCounter', () => {
  it('refuses the request after the budget with RATE_LIMITED, HTTP 429 and Retry-After', async () => {
    const counter = new RequestBudgetCounter(config, logger);
    try {
      const { admitted, refusal } = send(counter, { ip: '198.51.100.1', user: null }, 7);
      expect(admitted).toBe(5);
      expect(refusal?.extensions.code).toBe('RATE_LIMITED');
      const retryAfter = refusal?.extensions.retryAfter;
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refusal?.extensions.http).toEqual({
        status: 429,
        headers: new Map([['retry-after', String(retryAfter)]]),
      });
      expect(refusal?.message).toMatch(/5 per 60 seconds per address/);
      // Another address has its own budget.
      expect(send(counter, { ip: '198.51.100.2', user: null }, 5).admitted).toBe(5);
    } finally {
      await counter.stop();
    }
  });

  it('gives a signed-in user their own, larger budget, wherever they come from', async () => {
    const counter = new RequestBudgetCounter(config, logger);
    try {
      const ip = '198.51.100.3';
      expect(send(counter, { ip, user: null }, 5).admitted).toBe(5);
      const user = { id: new Types.ObjectId() };
      expect(send(counter, { ip, user }, 10).admitted).toBe(8);
      expect(send(counter, { ip: '198.51.100.4', user }, 1).admitted).toBe(0);
    } finally {
      await counter.stop();
    }
  });

  it('shares the counts through MongoDB in batches, one write per key per flush', async () => {
    const first = new RequestBudgetCounter(config, logger);
    const second = new RequestBudgetCounter(config, logger);
    const commands: string[] = [];
    const client = mongoose.connection.getClient();
    const record = (event: { commandName: string }) => commands.push(event.commandName);
    client.on('commandStarted', record);
    try {
      const request = { ip: '198.51.100.5', user: null };
      expect(send(first, request, 3).admitted).toBe(3);
      // Counting costs no command; a flush is one bulk write and one read, however many requests.
      expect(commands).toEqual([]);
      await first.flush();
      expect(commands).toEqual(['update', 'find']);
      await second.flush();
      expect(send(second, request, 2).admitted).toBe(2);
      await second.flush();
      await first.flush();
      // Both processes now see the 5 requests and refuse the sixth.
      expect(send(first, request, 1).admitted).toBe(0);
      expect(send(second, request, 1).admitted).toBe(0);
      const stored = await mongoose.connection
        .collection('signinlimits')
        .findOne({ key: { $regex: /^budget:ip:198\.51\.100\.5:/ } });
      expect(stored?.points).toBe(5);
      expect(stored?.expire).toBeInstanceOf(Date);
    } finally {
      client.off('commandStarted', record);
      await first.stop();
      await second.stop();
    }
  });
});
