/** tokml ships no types: the part of its API the export uses. */
declare module 'tokml' {
  interface TokmlOptions {
    documentName?: string;
    documentDescription?: string;
    /** Property holding a Placemark's <name>. */
    name?: string;
    /** Property holding a Placemark's <description>. */
    description?: string;
    simplestyle?: boolean;
    timestamp?: string;
  }
  export default function tokml(geojson: unknown, options?: TokmlOptions): string;
}
