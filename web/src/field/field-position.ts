/** Where the device is, as the browser tells it (WGS84, as GPS gives it). */
export interface DevicePosition {
  lon: number;
  lat: number;
  /** Metres, as the device estimates it. */
  accuracyM: number;
}

/** How long the device is given to find itself (outdoors a phone needs a few seconds). */
export const LOCATE_TIMEOUT_MS = 10_000;

/**
 * The device's position, or null when it has none to give (no geolocation,
 * permission refused, no fix in time). Never rejects and never waits longer
 * than `timeoutMs` (plus a second): the browser's own timeout starts only once
 * the person has answered the permission prompt, ours bounds the prompt too.
 */
export function devicePosition(timeoutMs = LOCATE_TIMEOUT_MS): Promise<DevicePosition | null> {
  if (typeof navigator === 'undefined' || !('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    let done = false;
    const finish = (position: DevicePosition | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(position);
    };
    const timer = setTimeout(() => finish(null), timeoutMs + 1000);
    try {
      navigator.geolocation.getCurrentPosition(
        (p) => finish({ lon: p.coords.longitude, lat: p.coords.latitude, accuracyM: p.coords.accuracy }),
        () => finish(null),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
      );
    } catch {
      finish(null);
    }
  });
}

/** The promise's value if it comes within `ms`, else null (the promise itself goes on). */
export function within<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine on the mean Earth radius). */
export function distanceM(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point closest to `at` within `maxM` metres, or null when none is that close. */
export function nearestPoint<P extends { lon: number; lat: number }>(points: readonly P[], at: { lon: number; lat: number }, maxM: number): P | null {
  let best: P | null = null;
  let bestM = maxM;
  for (const p of points) {
    const m = distanceM(p, at);
    if (m <= bestM) {
      best = p;
      bestM = m;
    }
  }
  return best;
}
