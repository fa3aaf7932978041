import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';

export const UserId = Type.String({ pattern: idPattern('user') });
export const AppointmentId = Type.String({ pattern: idPattern('appointment') });
/**
 * An instant as the domain parses it (domain/schedule.ts parseInstant: ISO 8601 with an offset,
 * seconds optional), documented and checked here with the same pattern so the published document
 * says what is accepted (e2e/apitruth-openapi.test.ts proves the two agree).
 */
const instant = (example: string) =>
  Type.String({
    maxLength: 40,
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
    description: 'ISO 8601 date-time with an offset (Z or ±hh:mm); seconds optional',
    examples: [example],
  });
const Start = instant('2030-01-07T09:00:00Z');
const End = instant('2030-01-07T09:30:00Z');

export const BookBody = Type.Object(
  {
    clinicianId: UserId,
    patientId: UserId,
    start: Start,
    end: End,
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export const RescheduleBody = Type.Object({ start: Start, end: End }, { additionalProperties: false });
export const IdParams = Type.Object({ id: AppointmentId }, { additionalProperties: false });
export const ClinicianParams = Type.Object({ id: UserId }, { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    from: Type.Optional(Start),
    to: Type.Optional(End),
    clinicianId: Type.Optional(UserId),
    patientId: Type.Optional(UserId),
    status: Type.Optional(Type.Union([Type.Literal('booked'), Type.Literal('cancelled')])),
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: 'nextCursor of the previous page (opaque: made by the service)' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  },
  { additionalProperties: false },
);

export const AppointmentView = Type.Object({
  id: Type.String(),
  clinicianId: Type.String(),
  patientId: Type.String(),
  start: Type.String(),
  end: Type.String(),
  status: Type.String(),
  confirmed: Type.Boolean(),
  confirmedAt: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  cancelledAt: Type.Optional(Type.String()),
});
export const AppointmentList = Type.Object({
  items: Type.Array(AppointmentView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const AvailabilityQuery = Type.Object(
  {
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export const Availability = Type.Object({
  clinicianId: Type.String(),
  date: Type.String(),
  timeZone: Type.String(),
  slotMinutes: Type.Integer(),
  slots: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
});

const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' });
export const ScheduleFields = {
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  workStart: HHMM,
  workEnd: HHMM,
  workDays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7, uniqueItems: true }),
  minMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  maxMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  slotMinutes: Type.Integer({ minimum: 5, maximum: 1440 }),
};
export const ScheduleBody = Type.Partial(Type.Object(ScheduleFields), { additionalProperties: false });
export const ScheduleView = Type.Object({ clinicianId: Type.String(), ...ScheduleFields });

export const PairParams = Type.Object({ clinicianId: UserId, patientId: UserId }, { additionalProperties: false });
export const ClinicianIdParams = Type.Object({ clinicianId: UserId }, { additionalProperties: false });
export const AssignmentView = Type.Object({
  clinicianId: Type.String(),
  patientId: Type.String(),
  assignedBy: Type.String(),
  assignedAt: Type.String(),
});
export const AssignmentList = Type.Object({ items: Type.Array(AssignmentView) });

export const NoContent = Type.Null({ description: 'Done; no body' });
