import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.ts';
import { decodeEntities, parseDateCell, positionFromCells, positionFromPoint, readCsv, TimeZone } from './problem-import-read.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : String(error);
  }
  return 'no error';
};

describe('readCsv', () => {
  it('reads a BOM, CRLF, quoted commas, doubled quotes, line breaks in quotes and entities', () => {
    const table = readCsv('x.csv', bytes('\uFEFFid,title,place\r\n1,"Lamp, broken","City Sq &amp; Harvard St"\r\n2,"say ""hi""","two\r\nlines"\r\n'));
    expect(table.header).toEqual(['id', 'title', 'place']);
    expect(table.rows).toEqual([['1', 'Lamp, broken', 'City Sq & Harvard St'], ['2', 'say "hi"', 'two\r\nlines']]);
    expect(table.encoding).toBe('utf-8');
  });

  it('takes the delimiter from the header line, pads short rows and names empty or repeated columns', () => {
    const table = readCsv('x.csv', bytes('a;b;;a\n1;2\n'));
    expect(table.delimiter).toBe(';');
    expect(table.header).toEqual(['a', 'b', 'column 3', 'a (2)']);
    expect(table.rows).toEqual([['1', '2', '', '']]);
  });

  it('reads GBK text (Excel on a Chinese Windows)', () => {
    // "编号,类别\n1,暴露垃圾\n" in GBK
    const gbk = Uint8Array.from([0xb1, 0xe0, 0xba, 0xc5, 0x2c, 0xc0, 0xe0, 0xb1, 0xf0, 0x0a, 0x31, 0x2c, 0xb1, 0xa9, 0xc2, 0xb6, 0xc0, 0xac, 0xbb, 0xf8, 0x0a]);
    const table = readCsv('x.csv', gbk);
    expect(table.encoding).toBe('gb18030');
    expect(table.header).toEqual(['编号', '类别']);
    expect(table.rows).toEqual([['1', '暴露垃圾']]);
  });

  it('refuses what is not a CSV table, by its bytes', () => {
    expect(codeOf(() => readCsv('x.csv', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0])))).toBe('415 unsupported_file');
    expect(codeOf(() => readCsv('x.csv', bytes('{"type":"FeatureCollection"}')))).toBe('415 unsupported_file');
    expect(codeOf(() => readCsv('x.csv', Uint8Array.from([0x00, 0x01, 0x02, 0x41, 0x2c, 0x42])))).toBe('400 unreadable_file');
    expect(codeOf(() => readCsv('x.csv', bytes('just one column\nand another line\n')))).toBe('400 not_a_table');
    expect(codeOf(() => readCsv('x.csv', bytes('a,b\n')))).toBe('400 no_rows');
    expect(codeOf(() => readCsv('x.csv', bytes('a,b\n1,"never closed\n')))).toBe('400 unreadable_file');
    expect(codeOf(() => readCsv('x.csv', new Uint8Array(0)))).toBe('400 empty_file');
  });

  it('refuses more than 100,000 rows with 413', () => {
    expect(codeOf(() => readCsv('x.csv', bytes(`a,b\n${'1,2\n'.repeat(100_001)}`)))).toBe('413 too_many_rows');
    expect(readCsv('x.csv', bytes(`a,b\n${'1,2\n'.repeat(100_000)}`)).rows).toHaveLength(100_000);
  });
});

describe('decodeEntities', () => {
  it('decodes named and numeric references once, and leaves unknown ones', () => {
    expect(decodeEntities('A &amp; B &lt;c&gt; &#39;d&#x27; &amp;amp; &foo; &#0;')).toBe("A & B <c> 'd' &amp; &foo; &#0;");
  });
});

describe('positions', () => {
  it('reads two cells, tells empty from bad, and refuses out-of-range pairs', () => {
    expect(positionFromCells('-71.0388', '42.3669')).toEqual({ ok: true, position: { lon: -71.0388, lat: 42.3669 } });
    expect(positionFromCells('', '')).toMatchObject({ ok: false, reason: 'no_coordinates' });
    expect(positionFromCells('abc', '1')).toMatchObject({ ok: false, reason: 'bad_coordinates' });
    expect(positionFromCells('42.36', '-171.03')).toMatchObject({ ok: false, reason: 'bad_coordinates' });
    expect(positionFromCells('0x10', '1')).toMatchObject({ ok: false, reason: 'bad_coordinates' });
  });

  it('reads WKT and the EWKB hex PostGIS writes (Boston geom_4326)', () => {
    expect(positionFromPoint('POINT (110.29 25.27)')).toEqual({ ok: true, position: { lon: 110.29, lat: 25.27 } });
    expect(positionFromPoint('SRID=4326;POINT(110.29 25.27)')).toEqual({ ok: true, position: { lon: 110.29, lat: 25.27 } });
    expect(positionFromPoint('SRID=3857;POINT(1 2)')).toMatchObject({ ok: false, reason: 'bad_coordinates' });
    // the first row of the Boston file: latitude 42.366865973300726, longitude -71.03876661266787
    const p = positionFromPoint('0101000020E61000007465F5267BC251C0C1ABD676F52E4540');
    expect(p.ok && p.position.lon).toBeCloseTo(-71.03876661266787, 12);
    expect(p.ok && p.position.lat).toBeCloseTo(42.366865973300726, 12);
    expect(positionFromPoint('')).toMatchObject({ ok: false, reason: 'no_coordinates' });
    expect(positionFromPoint('LINESTRING(0 0, 1 1)')).toMatchObject({ ok: false, reason: 'bad_coordinates' });
  });
});

describe('dates', () => {
  const shanghai = new TimeZone('Asia/Shanghai');
  const boston = new TimeZone('America/New_York');
  const iso = (text: string, zone = shanghai, order: 'ymd' | 'mdy' | 'dmy' = 'ymd') => {
    const r = parseDateCell(text, order, zone);
    return r.ok ? r.date.toISOString() : r.message;
  };

  it('reads local times in the zone, daylight saving included', () => {
    expect(iso('2025-01-24 03:24:56', boston)).toBe('2025-01-24T08:24:56.000Z'); // EST, UTC−5
    expect(iso('2025-07-01 12:00', boston)).toBe('2025-07-01T16:00:00.000Z'); // EDT, UTC−4
    expect(iso('2025-11-02 03:00', boston)).toBe('2025-11-02T08:00:00.000Z'); // just after clocks went back
    expect(iso('2025-11-02 01:30', boston)).toBe('2025-11-02T05:30:00.000Z'); // the repeated hour: the earlier
    expect(iso('2025-03-09 02:30', boston)).toBe('2025-03-09T07:30:00.000Z'); // the skipped hour: standard time
    expect(iso('2026/3/5 8:05')).toBe('2026-03-05T00:05:00.000Z');
    expect(iso('2026年3月5日')).toBe('2026-03-04T16:00:00.000Z');
  });

  it('honours an offset in the cell, and the day order asked for', () => {
    expect(iso('2025-01-24T03:24:56.5Z')).toBe('2025-01-24T03:24:56.500Z');
    expect(iso('2025-01-24T03:24:56+05:30')).toBe('2025-01-23T21:54:56.000Z');
    expect(iso('01/24/2025 03:24:56 PM', boston, 'mdy')).toBe('2025-01-24T20:24:56.000Z');
    expect(iso('24/01/2025', shanghai, 'dmy')).toBe('2025-01-23T16:00:00.000Z');
  });

  it('refuses what is not a real date', () => {
    expect(parseDateCell('2025-02-30', 'ymd', shanghai)).toMatchObject({ ok: false, empty: false });
    expect(parseDateCell('01/24/2025', 'ymd', shanghai)).toMatchObject({ ok: false, empty: false });
    expect(parseDateCell('yesterday', 'ymd', shanghai)).toMatchObject({ ok: false, empty: false });
    expect(parseDateCell('', 'ymd', shanghai)).toMatchObject({ ok: false, empty: true });
    expect(TimeZone.valid('Mars/Olympus')).toBe(false);
  });
});
