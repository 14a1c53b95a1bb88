declare module 'parse-prometheus-text-format' {
  /** One metric family as parsed from the Prometheus text format. */
  export interface MetricFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: {
      value?: string;
      labels?: Record<string, string>;
      buckets?: Record<string, string>;
      count?: string;
      sum?: string;
    }[];
  }
  /** Parses exposition text; throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
