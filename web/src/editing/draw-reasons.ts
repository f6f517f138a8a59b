/**
 * Why the drawing library refused a shape, in the interface's words: terra-draw
 * answers with English sentences (its `ValidationReasons`), which the
 * Chinese interface must not show as they are.
 */
import { ValidationReasons } from 'terra-draw';

export type ReasonKey =
  | 'screensc.reason.selfIntersects' | 'screensc.reason.tooFewPoints' | 'screensc.reason.notClosed'
  | 'screensc.reason.badCoordinates' | 'screensc.reason.precision' | 'screensc.reason.holes'
  | 'screensc.reason.notPolygon' | 'screensc.reason.tooSmall' | 'screensc.reason.other';

const KEYS = new Map<string, ReasonKey>([
  [ValidationReasons.ValidationReasonFeatureSelfIntersects, 'screensc.reason.selfIntersects'],
  [ValidationReasons.ValidationReasonFeatureLessThanFourCoordinates, 'screensc.reason.tooFewPoints'],
  [ValidationReasons.ValidationReasonFeatureCoordinatesNotClosed, 'screensc.reason.notClosed'],
  [ValidationReasons.ValidationReasonFeatureInvalidCoordinates, 'screensc.reason.badCoordinates'],
  [ValidationReasons.ValidationReasonFeatureHasInvalidCoordinates, 'screensc.reason.badCoordinates'],
  [ValidationReasons.ValidationReasonFeatureInvalidCoordinatePrecision, 'screensc.reason.precision'],
  [ValidationReasons.ValidationReasonFeatureHasHoles, 'screensc.reason.holes'],
  [ValidationReasons.ValidationReasonFeatureNotPolygon, 'screensc.reason.notPolygon'],
  [ValidationReasons.ValidationReasonFeatureNotPolygonOrLineString, 'screensc.reason.notPolygon'],
  [ValidationReasons.ValidationReasonFeatureLessThanMinSize, 'screensc.reason.tooSmall'],
]);

/** The catalogue key of a refusal; any reason not known here reads as "the shape is invalid". */
export function reasonKey(reason: string): ReasonKey {
  return KEYS.get(reason) ?? 'screensc.reason.other';
}
