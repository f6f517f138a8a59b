import { describe, expect, it } from 'vitest';
import { SNAPSHOT_FILES, SNAPSHOT_TITLE, snapshotViewerHtml } from './snapshot-viewer.ts';

describe('snapshotViewerHtml', () => {
  const html = snapshotViewerHtml();

  it('has the title and loads only the snapshot’s own files, by relative URLs', () => {
    expect(html).toContain(`<title>${SNAPSHOT_TITLE}</title>`);
    const urls = [...html.matchAll(/(?:href=|from |Url\(|fetch\()["']([^"']+)["']/g)].map((m) => m[1]).filter((url) => url !== 'data:,');
    expect(urls.sort()).toEqual(
      [SNAPSHOT_FILES.css, SNAPSHOT_FILES.maplibre, SNAPSHOT_FILES.pmtiles, SNAPSHOT_FILES.worker, SNAPSHOT_FILES.style].map((f) => `./${f}`).sort(),
    );
    expect(html).toContain(`"fflate": "./${SNAPSHOT_FILES.fflate}"`);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/(?:href|src)="\//);
  });

  it('asks for no favicon (a 404 on most static hosts)', () => {
    expect(html).toContain('<link rel="icon" href="data:,">');
  });

  it('registers the pmtiles protocol and exposes the map to tests', () => {
    expect(html).toContain("maplibregl.addProtocol('pmtiles', protocol.tile)");
    expect(html).toContain('window.__snapshotMap = map');
    // the import map must come before the module script that needs it
    expect(html.indexOf('type="importmap"')).toBeLessThan(html.indexOf('type="module"'));
  });

  it('escapes the title', () => {
    expect(snapshotViewerHtml('a < b & "c"')).toContain('<title>a &lt; b &amp; &quot;c&quot;</title>');
  });
});
