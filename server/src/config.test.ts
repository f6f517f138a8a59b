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
