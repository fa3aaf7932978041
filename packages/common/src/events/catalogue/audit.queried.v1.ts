import { Type } from '@sinclair/typebox';

export const type = 'audit.queried';
export const version = 1;
export const schema = Type.Object({
  operation: Type.Union([Type.Literal('search'), Type.Literal('export'), Type.Literal('verify')]),
  filters: Type.Record(Type.String(), Type.String()),
});
