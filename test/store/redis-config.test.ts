import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('REDIS_URL and REDIS_PREFIX (docs/CLUSTER.md "Redis")', () => {
  it('are optional, and the prefix defaults to liaison:', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'liaison:' });
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@r.example:6380/2', REDIS_PREFIX: 'site-a:' }).redis).toEqual({ url: 'rediss://:pw@r.example:6380/2', prefix: 'site-a:' });
  });

  it('refuse a URL that is not redis:// or rediss://, without echoing it', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://user:secret@127.0.0.1:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'http://user:secret@127.0.0.1:6379' })).not.toThrow(/secret/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
  });

  it('refuse a prefix with spaces or wildcards', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1', REDIS_PREFIX: 'a b*' })).toThrow(/REDIS_PREFIX/);
  });
});
