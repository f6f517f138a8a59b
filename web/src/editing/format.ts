const grouped = (value: number, decimals: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/**
 * An area as a person reads it, the one way the interface writes areas:
 * square metres below a hectare (one decimal under 10 m², where slivers and
 * "0.0 m² of new gap" matter; whole metres with grouping above: "850 m²",
 * "9,850 m²"), hectares from 10,000 m² with as many decimals as read well
 * ("1.23 公顷", "12.4 公顷", "1,234 公顷"). `hectare` is the unit's word in the
 * interface's language (`t('unit.ha')`). `fine` keeps hundredths of a hectare
 * (100 m²) however large: for totals a person watches change after one edit
 * ("144.12 公顷" → "144.02 公顷", where "144 公顷" would not move).
 */
export function formatArea(m2: number, hectare = '公顷', fine = false): string {
  if (!Number.isFinite(m2)) return '—';
  const size = Math.abs(m2);
  if (size >= 10_000) {
    const ha = m2 / 10_000;
    const decimals = fine || Math.abs(ha) < 10 ? 2 : Math.abs(ha) >= 100 ? 0 : 1;
    return `${grouped(ha, decimals)} ${hectare}`;
  }
  return `${grouped(m2, size < 10 ? 1 : 0)} m²`;
}

/** Lengths in the editor's words: metres to one decimal, kilometres beyond 1,000 m. */
export function formatLength(m: number): string {
  if (!Number.isFinite(m)) return '—';
  if (Math.abs(m) >= 1_000) return `${(m / 1_000).toFixed(2)} km`;
  return `${(Math.round(m * 10) / 10).toFixed(1)} m`;
}

/** A moment as `YYYY-MM-DD HH:mm`, in the browser's time zone. */
export function formatMoment(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** Today as `YYYY-MM-DD` where the person is. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
