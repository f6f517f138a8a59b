import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to port 3000, the embedded engine in ./data and the demo district', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CIVGRID_DATA_DIR).toBe('./data');
    expect(config.CIVGRID_DEMO).toBe(true);
    expect(config.CIVGRID_WEB_ROOT).toMatch(/web[/\\]dist$/);
  });

  it('leaves demo mode off when a first admin is configured (a real installation), unless asked', () => {
    const real = { CIVGRID_ADMIN_USERNAME: 'zhang.wei', CIVGRID_ADMIN_PASSWORD: 'a-long-password' };
    expect(loadConfig(real).CIVGRID_DEMO).toBe(false);
    expect(loadConfig({ ...real, CIVGRID_DEMO: 'true' }).CIVGRID_DEMO).toBe(true);
    expect(loadConfig({ CIVGRID_DEMO: '0' }).CIVGRID_DEMO).toBe(false);
    expect(() => loadConfig({ CIVGRID_ADMIN_USERNAME: 'zhang.wei' })).toThrow(/CIVGRID_ADMIN_PASSWORD/);
    expect(() => loadConfig({ ...real, CIVGRID_ADMIN_PASSWORD: 'short' })).toThrow(/CIVGRID_ADMIN_PASSWORD/);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      /PORT.*DATABASE_URL.*LOG_LEVEL|PORT[\s\S]*DATABASE_URL[\s\S]*LOG_LEVEL/,
    );
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
  });

  it('reads the Tianditu key and extra basemaps, and names a malformed list', () => {
    const config = loadConfig({
      CIVGRID_TIANDITU_KEY: 'abc123def456',
      CIVGRID_BASEMAPS: JSON.stringify([{ id: 'osm', name: 'OSM', type: 'xyz', tiles: ['https://t.example.org/{z}/{x}/{y}.png'] }]),
    });
    expect(config.CIVGRID_TIANDITU_KEY).toBe('abc123def456');
    expect(config.CIVGRID_BASEMAPS).toEqual([{ id: 'osm', name: 'OSM', type: 'xyz', tiles: ['https://t.example.org/{z}/{x}/{y}.png'], attribution: '' }]);
    expect(() => loadConfig({ CIVGRID_BASEMAPS: '[{"id":"x"' })).toThrow(/CIVGRID_BASEMAPS/);
    expect(() => loadConfig({ CIVGRID_BASEMAPS: '[{"id":"osm","name":"O","type":"xyz","tiles":["javascript:alert(1)"]}]' })).toThrow(/CIVGRID_BASEMAPS/);
    expect(() => loadConfig({ CIVGRID_TIANDITU_KEY: 'has spaces!' })).toThrow(/CIVGRID_TIANDITU_KEY/);
  });
});

describe('loadConfig: reverse proxies', () => {
  it('trusts no proxy and listens everywhere by default', () => {
    const config = loadConfig({});
    expect(config.CIVGRID_TRUST_PROXY).toBe(false);
    expect(config.CIVGRID_TRUSTED_PROXIES).toEqual([]);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('with CIVGRID_TRUST_PROXY trusts loopback only and listens on loopback, where the proxy is', () => {
    const config = loadConfig({ CIVGRID_TRUST_PROXY: 'true' });
    expect(config.CIVGRID_TRUSTED_PROXIES).toEqual(['127.0.0.0/8', '::1']);
    expect(config.HOST).toBe('127.0.0.1');
    expect(loadConfig({ CIVGRID_TRUST_PROXY: 'true', HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('reads a list of proxies; one elsewhere must reach the port, so the default stays 0.0.0.0', () => {
    const config = loadConfig({ CIVGRID_TRUST_PROXY: '1', CIVGRID_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.10 fd00::/8' });
    expect(config.CIVGRID_TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '192.0.2.10', 'fd00::/8']);
    expect(config.HOST).toBe('0.0.0.0');
    expect(loadConfig({ CIVGRID_TRUST_PROXY: '1', CIVGRID_TRUSTED_PROXIES: '127.0.0.1' }).HOST).toBe('127.0.0.1');
  });

  it('fails fast on a bad list, or a list without CIVGRID_TRUST_PROXY', () => {
    expect(() => loadConfig({ CIVGRID_TRUST_PROXY: 'true', CIVGRID_TRUSTED_PROXIES: 'nginx.local' })).toThrow(/CIVGRID_TRUSTED_PROXIES.*nginx\.local/);
    expect(() => loadConfig({ CIVGRID_TRUST_PROXY: 'true', CIVGRID_TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/CIVGRID_TRUSTED_PROXIES/);
    expect(() => loadConfig({ CIVGRID_TRUSTED_PROXIES: '10.0.0.1' })).toThrow(/CIVGRID_TRUSTED_PROXIES.*CIVGRID_TRUST_PROXY/);
  });
});

describe('loadConfig: the process name', () => {
  it('takes a host:port name, and refuses one with spaces or header-breaking characters', () => {
    expect(loadConfig({}).CIVGRID_INSTANCE).toBeUndefined();
    expect(loadConfig({ CIVGRID_INSTANCE: 'gis-01:3001' }).CIVGRID_INSTANCE).toBe('gis-01:3001');
    expect(() => loadConfig({ CIVGRID_INSTANCE: 'a b' })).toThrow(/CIVGRID_INSTANCE/);
    expect(() => loadConfig({ CIVGRID_INSTANCE: 'a\r\nset-cookie: x' })).toThrow(/CIVGRID_INSTANCE/);
  });
});
