import { AppError } from '@medvault/common/errors';
import { describe, expect, it } from 'vitest';
import { sqsProblem } from './sqs-dead-letters.js';

const sdkError = (name: string, message: string, httpStatusCode?: number) =>
  Object.assign(new Error(message), { name, $metadata: httpStatusCode ? { httpStatusCode } : { attempts: 3 } });
const codeOf = (e: unknown) => (AppError.is(e) ? `${e.code} ${e.status}` : 'unchanged');

describe('SQS failures in the API’s words', () => {
  it('calls a missing queue 404 and a second move task 409', () => {
    expect(codeOf(sqsProblem(sdkError('QueueDoesNotExist', 'no queue', 400), 'q'))).toBe('NOT_FOUND 404');
    const running = sdkError('InvalidParameterValueException', 'There is already a task running. Only one...', 400);
    expect(codeOf(sqsProblem(running, 'q'))).toBe('CONFLICT 409');
  });

  it('calls SQS unreachable or failing a 503 naming it', () => {
    const refused = Object.assign(sdkError('Error', 'connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const e = sqsProblem(refused, 'q');
    expect(codeOf(e)).toBe('DEPENDENCY_UNAVAILABLE 503');
    expect(AppError.is(e) && e.details).toEqual({ dependency: 'sqs' });
    expect(codeOf(sqsProblem(sdkError('InternalError', 'boom', 500), 'q'))).toBe('DEPENDENCY_UNAVAILABLE 503');
  });

  it('leaves a refused permission and a bug of ours as they are (a 500, details in the log only)', () => {
    expect(codeOf(sqsProblem(sdkError('AccessDenied', 'not allowed', 403), 'q'))).toBe('unchanged');
    expect(codeOf(sqsProblem(new TypeError('x is undefined'), 'q'))).toBe('unchanged');
  });
});
