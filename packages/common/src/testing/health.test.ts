import { describe, expect, it } from 'vitest';
import { requestCount } from './health.js';

const text = [
  '# TYPE http_requests_total counter',
  'http_requests_total{method="GET",route="/health/live",status="200",service="files"} 7',
  'http_requests_total{method="GET",route="/health/ready",status="503",service="files"} 2',
  'http_requests_total{method="POST",route="/health/live",status="200",service="files"} 9',
].join('\n');

describe('requestCount', () => {
  it('reads the GET 200 series of the route, not another route, status or method', () => {
    expect(requestCount(text, '/health/live')).toBe(7);
    expect(requestCount(text, '/health/ready')).toBe(0);
  });

  it('is 0 when the route was never requested', () => {
    expect(requestCount(text, '/v1/files')).toBe(0);
  });
});
