/** The vocabulary of the EPCIS 2.0 REST binding as Suyuan serves it under /epcis. */

/** The one EPCIS and CBV version this node speaks, announced on every response. */
export const EPCIS_VERSION = '2.0.0';
export const CBV_VERSION = '2.0.0';

/** Capture limits; a capture above either is refused with 413. */
export interface CaptureLimits {
  /** Most events per capture (GS1-EPCIS-Capture-Limit). */
  events: number;
  /** Largest capture body in bytes (GS1-EPCIS-Capture-File-Size-Limit). */
  bytes: number;
}

/**
 * Captures up to this size are processed while the client waits; larger ones become queued capture jobs,
 * so that one request never holds a connection and a transaction for minutes.
 */
export const SYNC_CAPTURE_MAX_EVENTS = 500;
export const SYNC_CAPTURE_MAX_BYTES = 1024 * 1024;

/** Page sizes of event queries and listings: the binding's default, and our upper limit (stated in the API docs). */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;
/** How long a nextPageToken stays valid (GS1-Next-Page-Token-Expires). */
export const PAGE_TOKEN_TTL_MS = 60 * 60 * 1000;

export type CaptureErrorBehaviour = 'rollback' | 'proceed';
export type CaptureFormat = 'json' | 'xml';

/** GS1-EPC-Format: how EPCs are written in returned events; absent means Always_GS1_Digital_Link. */
export const EPC_FORMATS = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] as const;
export type EpcFormat = (typeof EPC_FORMATS)[number];

/** The top-level event resources whose `{value}/events` sub-resource is an event query with one fixed filter. */
export const VALUE_RESOURCES = {
  eventTypes: 'eventType',
  epcs: 'MATCH_anyEPC',
  bizSteps: 'EQ_bizStep',
  bizLocations: 'EQ_bizLocation',
  readPoints: 'EQ_readPoint',
  dispositions: 'EQ_disposition',
} as const;
export type ValueResource = keyof typeof VALUE_RESOURCES;
